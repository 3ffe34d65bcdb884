// The three kinds of metric cbit exposes, lock-free to update: a request
// thread pays an atomic add, never a lock.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <vector>

namespace cbit::metrics {

/// Only goes up (Prometheus resets are process restarts).
class Counter {
 public:
  void Inc(double by = 1) { value_.fetch_add(by < 0 ? 0 : by, std::memory_order_relaxed); }
  double value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<double> value_{0};
};

/// Goes up and down.
class Gauge {
 public:
  void Set(double v) { value_.store(v, std::memory_order_relaxed); }
  void Add(double by) { value_.fetch_add(by, std::memory_order_relaxed); }
  double value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<double> value_{0};
};

/// Counts of observations per bucket (upper bounds, ascending; +Inf is
/// implicit), their sum and count.
class Histogram {
 public:
  /// `bounds` must be finite and strictly ascending (std::invalid_argument).
  explicit Histogram(std::vector<double> bounds);
  void Observe(double v);

  struct Snapshot {
    std::vector<double> bounds;
    std::vector<std::uint64_t> cumulative;  ///< per bound, then +Inf (= count)
    double sum = 0;
  };
  /// Taken bucket by bucket: an observation racing a scrape may show in the
  /// sum and not yet in the buckets, never making the buckets decrease.
  Snapshot snapshot() const;

 private:
  std::vector<double> bounds_;
  std::unique_ptr<std::atomic<std::uint64_t>[]> counts_;  ///< per bound, then +Inf
  std::atomic<double> sum_{0};
};

/// Bucket bounds for durations in seconds from 1 ms to 1 h.
std::vector<double> DurationBounds();

}  // namespace cbit::metrics
