// The reading side of Server-Sent Events (the WHATWG "event stream"
// interpretation): bytes in, in whatever pieces the connection hands them,
// events out. For `cbit watch` and the tests of GET /events.
#pragma once

#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace cbit::http {

struct SseEvent {
  std::string name = "message";  ///< the `event:` field, "message" without one
  std::string data;              ///< `data:` lines joined by '\n'
  std::string id;                ///< the last event id in force when it was dispatched
};

class SseParser {
 public:
  /// `max_event_bytes` bounds what one event (its lines so far) may hold.
  explicit SseParser(std::size_t max_event_bytes = std::size_t{1} << 20) : max_(max_event_bytes) {}

  /// Parses `bytes`; calls `on_event` for each event completed by a blank
  /// line (events without data are not dispatched, as a browser does).
  /// Throws std::length_error when a line or an event outgrows the bound.
  void Feed(std::string_view bytes, const std::function<void(const SseEvent&)>& on_event);

  /// Comment lines (": keep-alive") seen so far.
  int comments() const { return comments_; }
  /// The `retry:` the stream asked for, in milliseconds.
  std::optional<long> retry_ms() const { return retry_ms_; }
  /// The last event id (what Last-Event-ID carries on a reconnection).
  const std::string& last_id() const { return last_id_; }

 private:
  void Line(std::string_view line, const std::function<void(const SseEvent&)>& on_event);

  std::size_t max_;
  std::string line_;       ///< the line being read
  bool after_cr_ = false;  ///< a CR ended the last line: an LF right after is part of it
  bool has_data_ = false;
  SseEvent pending_;
  std::string last_id_;
  std::optional<long> retry_ms_;
  int comments_ = 0;
};

}  // namespace cbit::http
