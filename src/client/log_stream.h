// Streams a job's log to the controller while the job runs: the build writes
// into a buffer (never waiting on the network); a sender thread posts what
// has accumulated every `interval`, or at once when `batch` bytes are
// waiting, at increasing byte offsets. A failed post is retried with the same
// offset (the controller skips what it already has), so no text is lost or
// doubled while the controller is briefly away.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>

#include "client/controller_api.h"

namespace cbit::client {

class LogStream {
 public:
  /// Posts `text` at `offset` of `attempt` (nullopt: the job's latest);
  /// throws ApiError.
  using Poster =
      std::function<LogAck(std::optional<int> attempt, std::int64_t offset, const std::string&)>;

  struct Options {
    std::chrono::milliseconds interval{250};
    std::size_t batch = std::size_t{64} * 1024;
    std::chrono::milliseconds max_backoff{5000};
    /// Text kept while the controller does not take it; beyond, it is cut.
    std::size_t max_pending = std::size_t{16} * 1024 * 1024;
  };

  LogStream(Poster post, Options opts);
  explicit LogStream(Poster post) : LogStream(std::move(post), Options{}) {}
  /// Closes with a short deadline if Close was not called.
  ~LogStream();
  LogStream(const LogStream&) = delete;
  LogStream& operator=(const LogStream&) = delete;

  /// Appends output; bytes that are not UTF-8 become U+FFFD. Never blocks on
  /// the network. Thread-safe.
  void Write(std::string_view text);
  /// Sends what is left, retrying until `deadline`, then stops the sender.
  /// Returns false when some text could not be delivered.
  bool Close(std::chrono::steady_clock::time_point deadline);
  /// Bytes the controller has acknowledged.
  std::int64_t sent() const;

 private:
  void Run();

  Poster post_;
  Options opts_;
  mutable std::mutex mu_;
  std::condition_variable wake_;
  std::string pending_;  ///< valid UTF-8 not yet acknowledged
  std::string carry_;    ///< the start of a character cut by the end of a write
  bool truncated_ = false;
  bool closing_ = false;
  bool given_up_ = false;  ///< the controller refused a chunk: stop sending
  std::chrono::steady_clock::time_point deadline_;
  std::optional<int> attempt_;
  std::int64_t offset_ = 0;
  std::thread sender_;
};

}  // namespace cbit::client
