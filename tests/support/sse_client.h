// A Server-Sent Events reader for the tests of GET /events: a plain socket,
// so that a test can also stall it (never read) or cut it.
#pragma once

#include <chrono>
#include <deque>
#include <optional>
#include <string>
#include <vector>

#include "http/sse_parser.h"

namespace cbit::testing {

using SseEvent = http::SseEvent;

class SseClient {
 public:
  /// Connects to 127.0.0.1:`port`, sends GET `target` with `headers`
  /// ("Name: value") and reads the answer's head. `rcvbuf` > 0 shrinks the
  /// socket's receive buffer first (a stalled reader). Throws on failure.
  SseClient(int port, const std::string& target, const std::vector<std::string>& headers = {},
            int rcvbuf = 0, bool read_head = true);
  ~SseClient();
  SseClient(const SseClient&) = delete;
  SseClient& operator=(const SseClient&) = delete;

  int status() const { return status_; }
  const std::string& head() const { return head_; }
  /// The next event (comments and retry-only blocks skipped), waiting up to
  /// `wait`; nullopt when none came or the stream ended.
  std::optional<SseEvent> Next(std::chrono::milliseconds wait = std::chrono::seconds(10));
  /// Events up to and including the first named `name`.
  std::vector<SseEvent> Until(const std::string& name,
                              std::chrono::milliseconds wait = std::chrono::seconds(10));
  /// Keep-alive comments seen so far.
  int comments() const { return parser_.comments(); }
  /// Reads (and drops) everything until the server closes the connection;
  /// false when it is still open after `wait`.
  bool ClosedWithin(std::chrono::milliseconds wait);
  /// An answer that is not a stream (an error): its whole body.
  std::string Body(std::chrono::milliseconds wait = std::chrono::seconds(5));

 private:
  /// Reads more from the socket into raw_; false on timeout or close.
  bool Fill(std::chrono::steady_clock::time_point deadline);
  /// Moves complete chunks from raw_ to body_.
  void Unchunk();

  int fd_ = -1;
  int status_ = 0;
  std::string head_, raw_, body_;
  std::size_t parsed_ = 0;  ///< of body_, fed to parser_
  http::SseParser parser_;
  std::deque<SseEvent> ready_;  ///< parsed, not yet returned
  bool ended_ = false;
  bool chunked_ = false;
};

}  // namespace cbit::testing
