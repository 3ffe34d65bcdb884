// A raw HTTP/1.1 client over a plain socket for tests that must send what
// a well-behaved client would not: partial heads, bodies never sent, huge
// chunked bodies, hundreds of idle connections.
#pragma once

#include <chrono>
#include <string>
#include <string_view>

namespace cbit::httpd {

class RawClient {
 public:
  /// Connects to 127.0.0.1:port; connected() tells whether it worked.
  explicit RawClient(int port);
  ~RawClient();
  RawClient(const RawClient&) = delete;
  RawClient& operator=(const RawClient&) = delete;

  bool connected() const { return fd_ >= 0; }
  /// Sends all of `data`; false when the connection refused it.
  bool Send(std::string_view data);

  struct Reply {
    int status = 0;  ///< 0: no complete answer in time (or the connection closed)
    std::string head;
    std::string body;
    bool Has(std::string_view header_line) const;  ///< "Name: value", case-sensitive
  };
  /// Reads one answer (a body by Content-Length or chunked), waiting at
  /// most `timeout` in all.
  Reply Read(std::chrono::milliseconds timeout = std::chrono::seconds(5), bool head_only = false);
  /// True when the server closes the connection within `timeout`.
  bool ClosedWithin(std::chrono::milliseconds timeout);

 private:
  /// Reads more into buf_; false on close, error or the deadline.
  bool Fill(std::chrono::steady_clock::time_point deadline);
  int fd_ = -1;
  std::string buf_;
};

/// GET `path` on a fresh connection; the status (0 when none came).
int GetStatus(int port, const std::string& path,
              std::chrono::milliseconds timeout = std::chrono::seconds(5));

}  // namespace cbit::httpd
