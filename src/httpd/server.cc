#include "httpd/server.h"

#include <fcntl.h>
#include <spdlog/spdlog.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <thread>
#include <vector>

#include "httpd/connection.h"
#include "httpd/json_error.h"
#include "httpd/server_impl.h"

namespace cbit::httpd {
namespace net = boost::asio;
using net::ip::tcp;

namespace {

// How long Stop waits for requests in flight.
constexpr auto kStopGrace = std::chrono::seconds(30);

// Over a connection limit: a best-effort 503 without blocking, then close.
void TurnAway(tcp::socket& socket, const std::string& why) {
  std::string body = JsonError(why);
  std::string answer =
      "HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json\r\n"
      "Connection: close\r\nRetry-After: 1\r\nContent-Length: " +
      std::to_string(body.size()) + "\r\n\r\n" + body;
  boost::system::error_code ec;
  socket.non_blocking(true, ec);
  socket.write_some(net::buffer(answer), ec);
  socket.shutdown(tcp::socket::shutdown_both, ec);
  socket.close(ec);
}

void Welcome(Server::Impl* impl, tcp::socket socket) {
  boost::system::error_code ignored;
  std::string address = socket.remote_endpoint(ignored).address().to_string();
  if (!impl->Open(address)) {
    spdlog::debug("http: turning away {}: over a connection limit", address);
    TurnAway(socket, "too many connections; try again later");
    return;
  }
  socket.set_option(tcp::no_delay(true), ignored);
  auto c = std::make_shared<Connection>(*impl, std::move(socket), address);
  impl->Register(c);
  c->Start();
}

void Adopt(Server::Impl* impl, int fd) {
  tcp::socket socket(net::make_strand(impl->ioc));
  boost::system::error_code assign;
  socket.assign(impl->acceptor.local_endpoint().protocol(), fd, assign);
  if (assign) {
    ::close(fd);
  } else {
    Welcome(impl, std::move(socket));
  }
}

// accept4 with SOCK_CLOEXEC: a child the controller starts (git for the
// webhooks, the tests' processes) must not inherit a connection, or closing
// it would not reach the client until the child exits.
void Accept(Server::Impl* impl) {
  impl->acceptor.async_wait(tcp::acceptor::wait_read, [impl](boost::system::error_code ec) {
    if (ec == net::error::operation_aborted || !impl->acceptor.is_open()) return;
    int fd = ec ? -1 : ::accept4(impl->acceptor.native_handle(), nullptr, nullptr, SOCK_CLOEXEC);
    if (fd < 0 && !ec && (errno == EAGAIN || errno == EWOULDBLOCK || errno == ECONNABORTED))
      return Accept(impl);
    if (fd < 0) {
      // Out of file descriptors, most likely: try again shortly.
      spdlog::warn("http: accept: {}", ec ? ec.message() : std::strerror(errno));
      auto timer = std::make_shared<net::steady_timer>(impl->ioc, std::chrono::milliseconds(50));
      timer->async_wait([impl, timer](boost::system::error_code) { Accept(impl); });
      return;
    }
    Adopt(impl, fd);
    Accept(impl);
  });
}

// Takes the connections the kernel has completed but the server has not
// accepted yet. Closing the listening socket would reset them, after their
// clients may have sent a request: a client cannot tell that from a
// request the server read, so it could not safely try another server.
void AcceptBacklog(Server::Impl* impl) {
  boost::system::error_code ec;
  impl->acceptor.non_blocking(true, ec);
  if (ec) return;
  for (int fd;
       (fd = ::accept4(impl->acceptor.native_handle(), nullptr, nullptr, SOCK_CLOEXEC)) >= 0;)
    Adopt(impl, fd);
}

}  // namespace

Response ErrorResponse(int status, const std::string& message) {
  Response r;
  r.status = status;
  r.set_content(JsonError(message), "application/json");
  return r;
}

Server::Impl::Impl(Options o, Admit a)
    : options(std::move(o)),
      admit(std::move(a)),
      workers(static_cast<std::size_t>(std::max(1, options.workers))),
      acceptor(ioc) {}

// A stop does not refuse what is accepted until the listening socket
// closes (the kernel had completed those connections): each is answered
// once, then closed.
bool Server::Impl::Open(const std::string& address) {
  std::lock_guard lock(mu);
  int& mine = per_address[address];
  if (total >= options.max_connections || mine >= options.max_connections_per_address) {
    if (mine == 0) per_address.erase(address);
    return false;
  }
  ++total;
  ++mine;
  return true;
}

void Server::Impl::Register(const std::shared_ptr<Connection>& c) {
  std::lock_guard lock(mu);
  live[c.get()] = c;
}

void Server::Impl::Closed(const std::string& address, Connection* c) {
  std::lock_guard lock(mu);
  live.erase(c);
  if (--per_address[address] == 0) per_address.erase(address);
  if (--total == 0) drained.notify_all();
}

bool Server::Impl::TryInline() {
  if (inline_running.fetch_add(1) < options.io_threads - 1) return true;
  inline_running.fetch_sub(1);
  return false;
}

bool Server::Impl::ReserveBody(std::uint64_t n) {
  std::uint64_t held = body_bytes.load();
  do {
    if (n > options.max_body_memory - std::min(held, options.max_body_memory)) return false;
  } while (!body_bytes.compare_exchange_weak(held, held + n));
  return true;
}

Server::Server(Options options, Admit admit)
    : impl_(std::make_unique<Impl>(std::move(options), std::move(admit))) {}

Server::~Server() { Stop(); }

int Server::Bind() {
  const Options& o = impl_->options;
  boost::system::error_code ec;
  auto address = net::ip::make_address(o.interface, ec);
  if (ec) throw std::runtime_error("cannot listen on " + o.interface + ": " + ec.message());
  tcp::endpoint ep(address, static_cast<unsigned short>(o.port));
  auto& a = impl_->acceptor;
  a.open(ep.protocol(), ec);
  if (!ec) a.set_option(net::socket_base::reuse_address(true), ec);
  if (!ec) a.bind(ep, ec);
  if (!ec) a.listen(net::socket_base::max_listen_connections, ec);
  if (!ec) a.non_blocking(true, ec);
  if (!ec && fcntl(a.native_handle(), F_SETFD, FD_CLOEXEC) != 0)
    ec.assign(errno, boost::system::system_category());
  if (ec)
    throw std::runtime_error("cannot listen on " + o.interface + ":" + std::to_string(o.port) +
                             ": " + ec.message());
  return a.local_endpoint().port();
}

void Server::Serve() {
  Impl* impl = impl_.get();
  auto guard = net::make_work_guard(impl->ioc);
  {
    std::lock_guard lock(impl->mu);
    impl->listening = !impl->stopping();
  }
  Accept(impl);
  std::vector<std::thread> threads;
  for (int i = 1; i < impl->options.io_threads; ++i)
    threads.emplace_back([impl] { impl->ioc.run(); });
  impl->ioc.run();
  for (auto& t : threads) t.join();
}

void Server::Stop() {
  Impl* impl = impl_.get();
  if (impl->stopping_.exchange(true)) return;
  std::vector<std::shared_ptr<Connection>> open;
  {
    std::lock_guard lock(impl->mu);
    for (auto& [_, weak] : impl->live)
      if (auto c = weak.lock()) open.push_back(c);
  }
  net::post(impl->ioc, [impl] {
    AcceptBacklog(impl);
    boost::system::error_code ec;
    impl->acceptor.close(ec);
    std::lock_guard lock(impl->mu);
    impl->listening = false;
    impl->drained.notify_all();
  });
  for (auto& c : open) c->StopIfIdle();
  open.clear();
  {
    std::unique_lock lock(impl->mu);
    // The listening socket first: with no connection open the wait would
    // otherwise end before the backlog was taken, which the exit resets.
    if (!impl->drained.wait_for(lock, kStopGrace,
                                [&] { return !impl->listening && impl->total == 0; }))
      spdlog::warn("http: {} connections still open after the grace period", impl->total);
  }
  impl->ioc.stop();
}

int Server::connections() const {
  std::lock_guard lock(impl_->mu);
  return impl_->total;
}

std::uint64_t Server::fast_answers() const { return impl_->fast_answers.load(); }

std::uint64_t Server::inline_requests() const { return impl_->inline_requests.load(); }

}  // namespace cbit::httpd
