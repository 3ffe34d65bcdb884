// When to act on an incoming directory: an upload is several files written
// one after the other (dput copies the .changes last, but a burst of uploads
// interleaves), so the watcher waits until the directory has been quiet for
// `sleeptime` and then runs processincoming once for the whole burst. Pure:
// the caller passes the time, so tests need no clock.
#pragma once

#include <chrono>
#include <optional>

namespace cbit::watcher {

class Debouncer {
 public:
  using Clock = std::chrono::steady_clock;

  explicit Debouncer(Clock::duration quiet) : quiet_(quiet) {}

  /// Something arrived at `now`: act `quiet` after the last such event.
  void Touch(Clock::time_point now) { last_ = now; }
  /// True when a burst has been quiet long enough; the caller then acts and
  /// calls Done. Stays true until Done.
  bool Due(Clock::time_point now) const { return last_ && now - *last_ >= quiet_; }
  /// The burst was handled; events after this start a new one.
  void Done() { last_.reset(); }
  /// When Due will become true; nullopt when nothing is waiting.
  std::optional<Clock::time_point> Deadline() const {
    if (!last_) return std::nullopt;
    return *last_ + quiet_;
  }

 private:
  Clock::duration quiet_;
  std::optional<Clock::time_point> last_;
};

}  // namespace cbit::watcher
