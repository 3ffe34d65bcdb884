// A daemon's own metrics listener: GET /metrics (Prometheus text format) and
// GET /health/live on the controller's bounded HTTP server (src/httpd),
// sized down to one I/O thread, one worker and a few connections. It runs
// on threads of its own and answers from memory, so a scrape never waits on
// the daemon's work, and the daemon's work never waits on a scrape.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <thread>

#include "httpd/message.h"
#include "metricsd/endpoint.h"

namespace cbit::httpd {
class Server;
}

namespace cbit::metricsd {

/// The answer to one request: /metrics from `render`, /health/live, 404 for
/// any other path, 405 for any other method. Exposed for unit tests.
httpd::Response Answer(const httpd::Request& req, const std::function<std::string()>& render);

class Listener {
 public:
  /// Binds `where` (port 0 there: any free port) and serves until destroyed.
  /// `render` runs on the listener's I/O thread: it must only read memory.
  /// Throws std::runtime_error when the address cannot be bound.
  Listener(const Endpoint& where, std::function<std::string()> render);
  ~Listener();
  Listener(const Listener&) = delete;
  Listener& operator=(const Listener&) = delete;

  int port() const { return port_; }

 private:
  std::function<std::string()> render_;
  std::unique_ptr<httpd::Server> server_;
  int port_ = 0;
  std::thread thread_;
};

}  // namespace cbit::metricsd
