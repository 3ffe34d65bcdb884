// Runs a function every interval on a thread of its own until destroyed:
// the client's lease renewal and heartbeat (which must not wait behind a
// build or the AMQP loop), the controller's lease expiry, table upkeep.
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <thread>

namespace cbit {

class Periodic {
 public:
  enum class First { kAtOnce, kAfterInterval };
  /// Calls `fn` at once (or after the first interval), then every
  /// `interval`, and whenever poked.
  Periodic(std::chrono::milliseconds interval, std::function<void()> fn,
           First first = First::kAtOnce);
  /// Stops at once, even in the middle of a wait (not of a call).
  ~Periodic();
  Periodic(const Periodic&) = delete;
  Periodic& operator=(const Periodic&) = delete;

  /// Runs `fn` again without waiting for the interval.
  void Poke();
  /// Stops the thread (idempotent).
  void Stop();

 private:
  void Loop();

  const std::chrono::milliseconds interval_;
  std::function<void()> fn_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;
  bool poked_ = false;
  bool waited_ = false;  ///< First::kAtOnce, or the first interval is over
  std::thread thread_;
};

}  // namespace cbit
