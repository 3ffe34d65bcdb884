// A process's memory as the kernel counts it (/proc/<pid>/status), read
// once or sampled on a thread of its own while a measurement runs.
#pragma once

#include <atomic>
#include <chrono>
#include <string>
#include <thread>

namespace cbit::bench {

/// Megabytes (2^20 bytes), 0 for a field the kernel did not show.
struct Memory {
  double rss = 0;       ///< VmRSS: resident now
  double hwm = 0;       ///< VmHWM: the most ever resident
  double rss_anon = 0;  ///< RssAnon: the heap and stacks
  double rss_file = 0;  ///< RssFile: mapped files (SQLite's mmap, the binary)
};

/// Throws std::runtime_error when the process is gone.
Memory ReadMemory(int pid);

/// "VmRSS 41.2 MB (anon 30.1, file 11.1), VmHWM 52.0 MB"
std::string Describe(const Memory& m);

/// The largest VmRSS seen, sampled every `period` until destroyed.
class RssSampler {
 public:
  RssSampler(int pid, std::chrono::milliseconds period);
  ~RssSampler();
  RssSampler(const RssSampler&) = delete;
  RssSampler& operator=(const RssSampler&) = delete;

  double peak() const { return peak_.load(); }
  /// Forgets the peak so far.
  void Reset() { peak_ = 0; }

 private:
  std::atomic<double> peak_{0};
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

}  // namespace cbit::bench
