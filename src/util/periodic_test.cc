#include "util/periodic.h"

#include <gtest/gtest.h>

#include <atomic>

namespace cbit {
namespace {
using namespace std::chrono_literals;

// Waits up to 10 s for `calls` to reach `n`.
bool Reaches(const std::atomic<int>& calls, int n) {
  for (int i = 0; i < 1000 && calls.load() < n; ++i) std::this_thread::sleep_for(10ms);
  return calls.load() >= n;
}

// With an hour's interval, only the first call and pokes can run; the
// destructor must end the wait at once (else the test hangs).
TEST(Periodic, CallsAtOnceThenWhenPoked) {
  std::atomic<int> calls{0};
  Periodic p(1h, [&] { ++calls; });
  EXPECT_TRUE(Reaches(calls, 1));
  p.Poke();
  EXPECT_TRUE(Reaches(calls, 2));
}

TEST(Periodic, AfterIntervalWaitsForTheFirstInterval) {
  std::atomic<int> calls{0};
  {
    Periodic p(
        1h, [&] { ++calls; }, Periodic::First::kAfterInterval);
    std::this_thread::sleep_for(50ms);
    EXPECT_EQ(calls.load(), 0);
    p.Poke();
    EXPECT_TRUE(Reaches(calls, 1));
  }
  std::atomic<int> quick{0};
  Periodic q(
      10ms, [&] { ++quick; }, Periodic::First::kAfterInterval);
  EXPECT_TRUE(Reaches(quick, 3));
}

}  // namespace
}  // namespace cbit
