// The request and response a route handler sees, independent of the wire
// library: member names follow what the routes were written against
// (method, path, matches, get_header_value, has_param, set_content, …).
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <regex>
#include <string>
#include <utility>
#include <vector>

namespace cbit::httpd {

/// Case-insensitive ordering for header names (RFC 9110: names are).
struct LessIgnoreCase {
  bool operator()(const std::string& a, const std::string& b) const;
};
using Headers = std::multimap<std::string, std::string, LessIgnoreCase>;
using Params = std::multimap<std::string, std::string>;

struct Request {
  std::string method;  ///< "GET", "POST", … as sent
  std::string target;  ///< the request target as sent (path and query, encoded)
  std::string path;    ///< percent-decoded path, no query
  Headers headers;
  Params params;  ///< the query string, decoded
  std::string body;
  std::smatch matches;  ///< the route's captures, matched against `path`
  /// The pattern of the route that matched (empty: none); a bounded label
  /// for metrics, unlike the path.
  std::string route;
  std::string remote_addr;
  int remote_port = 0;
  /// Who the router authenticated (empty: anonymous).
  std::string user;

  bool has_header(const std::string& key) const { return headers.count(key) > 0; }
  /// The first value of header `key`, or "".
  std::string get_header_value(const std::string& key) const;
  bool has_param(const std::string& key) const { return params.count(key) > 0; }
  /// The first value of query parameter `key`, or "".
  std::string get_param_value(const std::string& key) const;
};

class PushStream;

/// Fills `chunk` with the next part of a streamed body; false when the body
/// has ended (`chunk` is then ignored). Runs on the worker pool.
using Producer = std::function<bool(std::string& chunk)>;

struct Response {
  int status = 200;
  Headers headers;
  std::string body;
  /// When set, the body is this producer's output (chunked), not `body`.
  Producer producer;
  /// With a producer: the body's length when known (sent as Content-Length
  /// instead of chunked).
  std::optional<std::uint64_t> content_length;
  /// When set, the body is what this stream is sent (chunked) until closed.
  std::shared_ptr<PushStream> push;

  void set_header(const std::string& key, const std::string& value);
  std::string get_header_value(const std::string& key) const;
  void set_content(std::string content, const std::string& content_type);
  /// Streams the body from `p` (called until it answers false).
  void set_producer(const std::string& content_type, Producer p);
  /// Makes this answer an open stream; the caller keeps the handle and
  /// sends to it from any thread.
  std::shared_ptr<PushStream> start_push(const std::string& content_type);
};

/// A response body that other threads write to while the connection holds
/// no thread: each Send is written as one chunk, in order.
class PushStream {
 public:
  /// Queues `data` for the client; false once the stream is closed (the
  /// client went away or Close was called).
  bool Send(std::string data);
  /// Ends the body; the connection goes on with its next request.
  void Close();
  bool closed() const;

  /// The connection's side: attaches the writer (called once), which is
  /// handed every queued piece; nullopt ends the stream.
  using Writer = std::function<void(std::optional<std::string>)>;
  void Attach(Writer writer);
  /// The connection's side: the client went away.
  void Detach();

 private:
  mutable std::mutex mu_;
  Writer writer_;
  std::vector<std::string> pending_;  ///< sent before the writer attached
  bool closed_ = false;
};

}  // namespace cbit::httpd
