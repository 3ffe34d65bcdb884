#include "web/rate_limit.h"

#include <algorithm>
#include <cmath>

namespace cbit::web {

RateLimiter::RateLimiter(Options opts) : opts_(std::move(opts)) {
  if (!opts_.now) opts_.now = [] { return Clock::now(); };
}

double RateLimiter::Refilled(const Bucket& b, Clock::time_point now) const {
  double gained =
      std::chrono::duration<double>(now - b.at) / std::chrono::duration<double>(opts_.refill);
  return std::min(opts_.burst, b.tokens + std::max(0.0, gained));
}

std::chrono::seconds RateLimiter::RetryAfter(const std::string& key) {
  Clock::time_point now = opts_.now();
  std::lock_guard lock(mu_);
  auto it = buckets_.find(key);
  if (it == buckets_.end()) return std::chrono::seconds(0);
  double tokens = Refilled(it->second, now);
  if (tokens >= 1) return std::chrono::seconds(0);
  auto wait = std::chrono::duration<double>(opts_.refill) * (1 - tokens);
  return std::chrono::seconds(static_cast<std::int64_t>(std::ceil(wait.count())));
}

void RateLimiter::Take(const std::string& key) {
  Clock::time_point now = opts_.now();
  std::lock_guard lock(mu_);
  auto it = buckets_.find(key);
  if (it == buckets_.end()) {
    if (buckets_.size() >= opts_.max_keys) Trim(now);
    it = buckets_.emplace(key, Bucket{opts_.burst, now}).first;
  }
  it->second.tokens = std::max(0.0, Refilled(it->second, now) - 1);
  it->second.at = now;
}

// Full buckets carry no information; when even those are not enough, start
// afresh (the other key kind, the address or the user, still limits).
void RateLimiter::Trim(Clock::time_point now) {
  std::erase_if(buckets_, [&](const auto& kv) { return Refilled(kv.second, now) >= opts_.burst; });
  if (buckets_.size() >= opts_.max_keys) buckets_.clear();
}

}  // namespace cbit::web
