// The controller benchmark's driver: keep-alive HTTP clients on threads that
// submit jobs and read them back, measuring rates and latencies.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "bench/farm.h"

namespace cbit::bench {

class Bench {
 public:
  explicit Bench(int port) : port_(port) {}

  /// The lookups a submission to `suites` needs (Debian, deb, amd64).
  void Seed(const std::vector<std::string>& suites);

  /// Submissions over `conns` keep-alive connections for `seconds`, or
  /// until `count` submissions when count > 0. Returns submissions/s.
  double Submit(int conns, double seconds, std::int64_t count = 0);
  std::int64_t jobs() const { return jobs_; }
  void FillTo(std::int64_t target) {
    if (jobs_ < target) Submit(8, 0, target - jobs_);
  }

  /// GET /job (every job) sequentially; milliseconds per request.
  std::vector<double> ListJobs(int times);
  std::size_t list_bytes() const { return list_bytes_; }

  /// GET /job/<id> over `conns` keep-alive connections for `seconds`, the
  /// ids cycling over the first `ids` jobs (0: every job submitted).
  /// Returns answers/s; each request's milliseconds go to `latency_ms`.
  double GetJobRate(int conns, double seconds, std::int64_t ids = 0,
                    std::vector<double>* latency_ms = nullptr);
  std::int64_t gets() const { return gets_; }

  /// POST → answer and POST → BuildRequest delivered to a consumer, one
  /// connection, `n` submissions into the "latency" suite's queue.
  void Latency(const queue::AmqpOptions& amqp, int n, std::vector<double>& answer_ms,
               std::vector<double>& delivered_ms);

 private:
  int port_;
  std::atomic<std::int64_t> next_name_{0};
  std::int64_t first_name_ = 0;
  std::int64_t jobs_ = 0;
  std::int64_t gets_ = 0;
  std::size_t list_bytes_ = 0;
};

/// cbit-web (`binary`, or the build tree's) on a fresh database of its own.
std::unique_ptr<Web> StartWeb(const std::string& backend, const std::string& part,
                              bool wait_for_confirm, const std::string& binary = "");

}  // namespace cbit::bench
