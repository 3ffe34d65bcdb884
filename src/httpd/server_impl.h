// The server's shared state, seen by its connections (internal to httpd).
#pragma once

#include <atomic>
#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>

#include "httpd/asio.h"
#include "httpd/server.h"

namespace cbit::httpd {

class Connection;

struct Server::Impl {
  Impl(Options o, Admit a);

  /// Counts a new connection from `address`; false when over a limit.
  bool Open(const std::string& address);
  void Closed(const std::string& address, Connection* c);
  void Register(const std::shared_ptr<Connection>& c);
  /// Reserves `n` bytes of the body budget; false when they do not fit.
  bool ReserveBody(std::uint64_t n);
  void ReleaseBody(std::uint64_t n) { body_bytes.fetch_sub(n); }
  bool stopping() const { return stopping_.load(); }
  /// Whether the calling I/O thread may run blocking work itself: true
  /// while another I/O thread stays free (then call InlineDone after it).
  bool TryInline();
  void InlineDone() { inline_running.fetch_sub(1); }

  Options options;
  Admit admit;
  mutable std::mutex mu;
  std::condition_variable drained;
  int total = 0;
  /// Serve runs and a stop has not closed the listening socket yet.
  bool listening = false;
  std::map<std::string, int> per_address;
  std::map<Connection*, std::weak_ptr<Connection>> live;
  std::atomic<std::uint64_t> body_bytes{0};  ///< reserved by bodies being read
  std::atomic<bool> stopping_{false};
  std::atomic<std::uint64_t> fast_answers{0};
  std::atomic<int> inline_running{0};  ///< I/O threads running blocking work now
  std::atomic<std::uint64_t> inline_requests{0};
  // Destroyed first (reverse order): pending handlers own connections,
  // whose destructors still count themselves out above.
  boost::asio::io_context ioc;
  boost::asio::thread_pool workers;
  boost::asio::ip::tcp::acceptor acceptor;
};

}  // namespace cbit::httpd
