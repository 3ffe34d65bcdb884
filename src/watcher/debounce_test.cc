#include "watcher/debounce.h"

#include <gtest/gtest.h>

namespace cbit::watcher {
namespace {

using namespace std::chrono_literals;
using Clock = Debouncer::Clock;

TEST(Debouncer, ABurstActsOnceAfterItIsQuiet) {
  Debouncer d(3s);
  Clock::time_point t0{};
  EXPECT_FALSE(d.Due(t0));
  EXPECT_EQ(d.Deadline(), std::nullopt);
  d.Touch(t0);
  d.Touch(t0 + 2s);  // still arriving: the wait starts again
  EXPECT_FALSE(d.Due(t0 + 4s));
  EXPECT_EQ(d.Deadline(), t0 + 5s);
  EXPECT_TRUE(d.Due(t0 + 5s));
  EXPECT_TRUE(d.Due(t0 + 9s));  // until handled
  d.Done();
  EXPECT_FALSE(d.Due(t0 + 9s));
  d.Touch(t0 + 10s);
  EXPECT_FALSE(d.Due(t0 + 12s));
  EXPECT_TRUE(d.Due(t0 + 13s));
}

TEST(Debouncer, ZeroSleeptimeActsAtOnce) {
  Debouncer d(0s);
  Clock::time_point t0{};
  d.Touch(t0);
  EXPECT_TRUE(d.Due(t0));
}

}  // namespace
}  // namespace cbit::watcher
