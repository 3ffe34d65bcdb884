// The controller's HTTP server: the routes of docs/protocol.md on the
// bounded server of src/httpd, with CORS headers on every answer and the
// apt repository under /debian/.
#pragma once

#include <string>

#include "events/hub.h"
#include "httpd/server.h"
#include "web/api.h"
#include "web/auth.h"
#include "web/config.h"
#include "web/farm_metrics.h"

namespace cbit::web {

/// The server's limits and threads from the config's web.* keys.
httpd::Options ServerOptions(const Config& cfg);

/// `o` with the router's fast handlers as its Fast hook (Router::Fast).
httpd::Options WithFastPath(httpd::Options o, const Router& router);
/// `o` reporting every answer to `metrics` (none when null).
httpd::Options WithMetrics(httpd::Options o, FarmMetrics* metrics);

class HttpServer {
 public:
  HttpServer(const Config& cfg, Api& api, Authenticator& auth);
  /// Binds; returns the port (useful with port 0). Throws on failure.
  int Bind() { return server_.Bind(); }
  /// Serves until Stop(); call after Bind().
  void Serve() { server_.Serve(); }
  /// Stops accepting and returns once requests in flight are answered.
  void Stop() { server_.Stop(); }
  /// The routes and what each needs (tests check every one).
  const Router& router() const { return router_; }
  /// Requests answered on an I/O thread by a route's fast handler.
  std::uint64_t fast_answers() const { return server_.fast_answers(); }

 private:
  Router router_;
  httpd::Server server_;
};

/// Every route of the controller on `r`: those of docs/protocol.md, and the
/// repository's when web.repository is set.
void RegisterRoutes(Router& r, const Config& cfg, Api& api);

/// GET /metrics' options from the config (web.metrics_cache_ms).
MetricsOptions MetricsOptionsOf(const Config& cfg);

/// The event stream's options from the config's web.events_* keys.
events::HubOptions EventOptions(const Config& cfg);

/// GET /debian/<path>: the files of web.repository (src/httpd/files.h).
void RegisterRepositoryRoutes(Router& r, const std::string& repository);

}  // namespace cbit::web
