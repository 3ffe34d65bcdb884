// Token buckets per key (a client address, a user name): each failed sign-in
// takes one token, tokens come back at a steady rate, and a key whose bucket
// is empty is refused before any password is checked. The number of keys is
// bounded: an attacker inventing user names cannot grow it without limit.
#pragma once

#include <chrono>
#include <functional>
#include <mutex>
#include <string>
#include <unordered_map>

namespace cbit::web {

struct RateLimitOptions {
  double burst = 10;                       ///< failures allowed at once
  std::chrono::milliseconds refill{6000};  ///< one more failure allowed per this
  std::size_t max_keys = 10000;
  /// Default: std::chrono::steady_clock::now.
  std::function<std::chrono::steady_clock::time_point()> now;
};

class RateLimiter {
 public:
  using Clock = std::chrono::steady_clock;
  using Options = RateLimitOptions;
  explicit RateLimiter(Options opts);

  /// Zero when `key` may try now; else how long until it may.
  std::chrono::seconds RetryAfter(const std::string& key);
  /// Takes one token from `key`'s bucket (a failure).
  void Take(const std::string& key);

 private:
  struct Bucket {
    double tokens;
    Clock::time_point at;
  };
  double Refilled(const Bucket& b, Clock::time_point now) const;
  void Trim(Clock::time_point now);

  Options opts_;
  std::mutex mu_;
  std::unordered_map<std::string, Bucket> buckets_;
};

}  // namespace cbit::web
