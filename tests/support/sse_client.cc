#include "tests/support/sse_client.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <stdexcept>

namespace cbit::testing {
namespace {

using Clock = std::chrono::steady_clock;

void SendAll(int fd, const std::string& s) {
  std::size_t done = 0;
  while (done < s.size()) {
    ssize_t n = ::send(fd, s.data() + done, s.size() - done, MSG_NOSIGNAL);
    if (n <= 0) throw std::runtime_error("sse: send failed");
    done += static_cast<std::size_t>(n);
  }
}

}  // namespace

SseClient::SseClient(int port, const std::string& target, const std::vector<std::string>& headers,
                     int rcvbuf, bool read_head) {
  fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd_ < 0) throw std::runtime_error("sse: socket");
  if (rcvbuf > 0) ::setsockopt(fd_, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof rcvbuf);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(static_cast<std::uint16_t>(port));
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0)
    throw std::runtime_error("sse: connect");
  std::string req =
      "GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n";
  for (const auto& h : headers) req += h + "\r\n";
  SendAll(fd_, req + "\r\n");
  if (!read_head) return;
  const auto deadline = Clock::now() + std::chrono::seconds(10);
  std::size_t end;
  while ((end = raw_.find("\r\n\r\n")) == std::string::npos)
    if (!Fill(deadline)) throw std::runtime_error("sse: no answer head: " + raw_);
  head_ = raw_.substr(0, end + 4);
  raw_.erase(0, end + 4);
  status_ = std::stoi(head_.substr(9, 3));
  chunked_ = head_.find("Transfer-Encoding: chunked") != std::string::npos;
  Unchunk();
}

SseClient::~SseClient() {
  if (fd_ >= 0) ::close(fd_);
}

bool SseClient::Fill(Clock::time_point deadline) {
  if (ended_) return false;
  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
  if (left.count() <= 0) return false;
  pollfd p{fd_, POLLIN, 0};
  if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) return false;
  char buf[16384];
  ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
  if (n <= 0) {
    ended_ = true;
    return false;
  }
  raw_.append(buf, static_cast<std::size_t>(n));
  return true;
}

void SseClient::Unchunk() {
  if (head_.empty()) return;
  if (!chunked_) {
    body_ += raw_;
    raw_.clear();
    return;
  }
  for (;;) {
    std::size_t eol = raw_.find("\r\n");
    if (eol == std::string::npos) return;
    std::size_t size = std::stoul(raw_.substr(0, eol), nullptr, 16);
    if (raw_.size() < eol + 2 + size + 2) return;
    body_.append(raw_, eol + 2, size);
    raw_.erase(0, eol + 2 + size + 2);
    if (size == 0) ended_ = true;
  }
}

std::optional<SseEvent> SseClient::Next(std::chrono::milliseconds wait) {
  const auto deadline = Clock::now() + wait;
  for (;;) {
    if (parsed_ < body_.size()) {
      parser_.Feed(std::string_view(body_).substr(parsed_),
                   [this](const SseEvent& e) { ready_.push_back(e); });
      parsed_ = body_.size();
    }
    if (!ready_.empty()) {
      SseEvent e = std::move(ready_.front());
      ready_.pop_front();
      return e;
    }
    if (!Fill(deadline)) return std::nullopt;
    Unchunk();
  }
}

std::vector<SseEvent> SseClient::Until(const std::string& name, std::chrono::milliseconds wait) {
  const auto deadline = Clock::now() + wait;
  std::vector<SseEvent> out;
  while (Clock::now() < deadline) {
    auto e = Next(std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()));
    if (!e) break;
    out.push_back(*e);
    if (e->name == name) break;
  }
  return out;
}

std::string SseClient::Body(std::chrono::milliseconds wait) {
  const auto deadline = Clock::now() + wait;
  const std::size_t at = head_.find("Content-Length: ");
  const std::size_t length = at == std::string::npos ? 0 : std::stoul(head_.substr(at + 16));
  while (body_.size() < length && Fill(deadline)) Unchunk();
  return body_;
}

bool SseClient::ClosedWithin(std::chrono::milliseconds wait) {
  const auto deadline = Clock::now() + wait;
  while (!ended_ && Clock::now() < deadline) {
    if (Fill(deadline)) raw_.clear();
  }
  return ended_;
}

}  // namespace cbit::testing
