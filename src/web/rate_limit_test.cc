#include "web/rate_limit.h"

#include <gtest/gtest.h>

namespace cbit::web {
namespace {

using std::chrono::seconds;

struct Limiter {
  RateLimiter::Clock::time_point t{};
  RateLimiter limiter{
      {.burst = 2, .refill = std::chrono::seconds(10), .max_keys = 3, .now = [this] { return t; }}};
};

TEST(RateLimiter, ABurstThenOneMorePerRefillPeriod) {
  Limiter l;
  EXPECT_EQ(l.limiter.RetryAfter("k"), seconds(0));
  l.limiter.Take("k");
  EXPECT_EQ(l.limiter.RetryAfter("k"), seconds(0));
  l.limiter.Take("k");
  EXPECT_EQ(l.limiter.RetryAfter("k"), seconds(10));
  l.t += seconds(4);
  EXPECT_EQ(l.limiter.RetryAfter("k"), seconds(6));
  l.t += seconds(6);
  EXPECT_EQ(l.limiter.RetryAfter("k"), seconds(0));
  l.limiter.Take("k");
  EXPECT_EQ(l.limiter.RetryAfter("k"), seconds(10));
  EXPECT_EQ(l.limiter.RetryAfter("other"), seconds(0));
}

TEST(RateLimiter, RefillStopsAtTheBurst) {
  Limiter l;
  l.limiter.Take("k");
  l.t += seconds(1000);
  l.limiter.Take("k");
  l.limiter.Take("k");
  EXPECT_GT(l.limiter.RetryAfter("k"), seconds(0));
}

TEST(RateLimiter, KeysAreBounded) {
  Limiter l;
  l.limiter.Take("a");
  l.limiter.Take("a");
  l.limiter.Take("b");
  l.limiter.Take("c");
  l.t += seconds(10);  // b and c are full again: dropped to make room
  l.limiter.Take("d");
  EXPECT_EQ(l.limiter.RetryAfter("a"), seconds(0));  // refilled by one
  l.limiter.Take("a");
  EXPECT_EQ(l.limiter.RetryAfter("a"), seconds(10));  // still known: not dropped
}

}  // namespace
}  // namespace cbit::web
