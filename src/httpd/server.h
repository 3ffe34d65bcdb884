// A bounded HTTP/1.1 server (Boost.Beast over Asio): a few I/O threads hold
// every connection, and route handlers run on a separate pool of workers,
// so slow, idle or streaming connections never hold a worker.
//
// Each request goes: read the head (deadline, size cap) → Admit on a
// worker (the application matches the route and checks credentials from
// the headers; it may answer at once, before a byte of the body is read) →
// refuse a Content-Encoding other than identity (415) → read the body
// (deadline; the size cap holds for Content-Length and chunked alike: 413)
// → the handler on a worker → write (or stream) the answer. When the body
// is at hand as Admit returns (none, or all of it read with the head), the
// handler runs on that worker at once, without a trip back to the I/O
// thread. A request without a body may instead be answered by the Fast hook
// on the I/O thread that read it, skipping the trip to a worker and back.
//
// "On a worker" above is where the work may block. With two I/O threads or
// more, the I/O thread that read the request does that work itself, and
// writes the answer, while another I/O thread is left to serve the other
// connections: at most io_threads - 1 of them run Admit or a handler at
// once, and a request beyond that goes to the workers. A request then
// costs no hand-off between threads, which on a virtual machine cost more
// than a small handler.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "httpd/message.h"

namespace cbit::httpd {

struct Options {
  std::string interface = "0.0.0.0";
  int port = 8080;  ///< 0: any free port
  int io_threads = 2;
  int workers = 64;  ///< threads that run Admit and the handlers
  std::chrono::milliseconds head_timeout{std::chrono::seconds(10)};
  std::chrono::milliseconds body_timeout{std::chrono::seconds(60)};
  /// A keep-alive connection waiting for its next request.
  std::chrono::milliseconds idle_timeout{std::chrono::seconds(5)};
  std::chrono::milliseconds write_timeout{std::chrono::seconds(60)};
  std::uint32_t max_head_bytes = 32 << 10;
  std::uint64_t max_body_bytes = 16 << 20;
  /// Bytes of request bodies being read at once, over all connections: a
  /// body's Content-Length (a chunked one: max_body_bytes) is reserved
  /// before it is read, and one that does not fit gets 503.
  std::uint64_t max_body_memory = 64 << 20;
  /// Pushed data a stream's client has not taken yet; beyond it, or when
  /// one write waits longer than write_timeout, the stream is closed.
  std::size_t max_push_backlog_bytes = 4 << 20;
  /// The socket send buffer of a push stream (0: the system's, which grows
  /// to megabytes): a client that stops reading then reaches the backlog
  /// limit above soon, instead of pinning that much kernel memory first.
  int push_send_buffer_bytes = 0;
  int max_connections = 10000;
  int max_connections_per_address = 512;
  /// Added to every answer unless the answer sets them (CORS).
  Headers default_headers;
  /// Optional: tried for each request without a body before it goes to a
  /// worker. Runs on an I/O thread, so it must never block (no database,
  /// no I/O, only short in-memory locks); nullopt sends the request the
  /// normal way (Admit, handler). An exception counts as nullopt. Its
  /// answer gets the default headers and is written like any other.
  std::function<std::optional<Response>(Request&)> fast;
  /// Optional: hears every answer as its head is written (status, time since
  /// the request's first byte), on the connection's I/O thread; it must not
  /// block. The request's method may be empty (a head that did not parse).
  std::function<void(const Request&, int status, std::chrono::steady_clock::duration)> observe;
};

/// What the application decides from a request's head.
struct Admission {
  /// Set: the answer, sent without reading the body.
  std::optional<Response> answer;
  /// Otherwise: runs on a worker once the body is read.
  std::function<void(Request&, Response&)> handler;
};
/// Runs on a worker with the head read (body empty); may block briefly.
using Admit = std::function<Admission(Request&)>;

/// {"error": message} with this status, as JSON.
Response ErrorResponse(int status, const std::string& message);

class Server {
 public:
  Server(Options options, Admit admit);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  /// Binds and listens; returns the port. Throws std::runtime_error.
  int Bind();
  /// Serves until Stop(); call after Bind().
  void Serve();
  /// Stops accepting, closes idle connections, lets requests in flight
  /// finish (up to a grace period), then makes Serve() return. Any thread.
  void Stop();
  /// Connections open now.
  int connections() const;
  /// Requests answered by Options::fast so far.
  std::uint64_t fast_answers() const;
  /// Requests whose Admit and handler ran on the I/O thread that read them.
  std::uint64_t inline_requests() const;

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace cbit::httpd
