// A load that a hostile client on the local network could make, on one
// thread (Boost.Asio, no thread per connection):
//  - slow connections (slowloris): each sends a request head a line at a
//    time and opens again when the server closes it, spread over the
//    loopback source addresses 127.0.0.2 … so that the per-address
//    connection limit is not what stops them;
//  - junk request bodies at a paced total rate, from the next address:
//    POSTs without credentials (refused from the head), with credentials
//    and a body under the size cap (read, then refused), and chunked with
//    credentials past the cap.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <string>

namespace cbit::bench {

struct HostileOptions {
  int port = 0;  ///< the server's, on 127.0.0.1
  int slow_connections = 1000;
  int slow_addresses = 4;  ///< 127.0.0.2 … 127.0.0.(1 + slow_addresses)
  std::chrono::milliseconds slow_line_every{1000};
  double junk_bytes_per_second = 10e6;
  int junk_senders = 6;       ///< one kind in three each
  std::string authorization;  ///< the junk senders' with credentials: an Authorization value
};

struct HostileCounts {
  int slow_open = 0;                         ///< connected, neither answered nor closed yet
  int slow_open_peak = 0;                    ///< the most open at once
  std::int64_t slow_connects = 0;            ///< connections made
  std::int64_t slow_refused = 0;             ///< answered 503 (over a connection limit)
  std::int64_t slow_closed = 0;              ///< closed by the server unanswered (head deadline)
  std::int64_t slow_failed = 0;              ///< connect failed
  std::int64_t junk_bytes = 0;               ///< body bytes written
  std::int64_t junk_requests = 0;            ///< requests begun
  std::map<int, std::int64_t> junk_answers;  ///< status → answers
  double cpu_seconds = 0;                    ///< the load thread's CPU time
};

/// Runs from construction until destruction (then closes everything).
class HostileLoad {
 public:
  explicit HostileLoad(HostileOptions options);
  ~HostileLoad();
  HostileLoad(const HostileLoad&) = delete;
  HostileLoad& operator=(const HostileLoad&) = delete;

  HostileCounts counts() const;
  /// Waits until `n` slow connections are open, or `timeout`; returns how
  /// many are open.
  int WaitOpen(int n, std::chrono::milliseconds timeout) const;

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

/// Two lines: the slow connections and the junk, over `seconds`.
std::string Describe(const HostileCounts& c, double seconds);

}  // namespace cbit::bench
