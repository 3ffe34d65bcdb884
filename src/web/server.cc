#include "web/server.h"

#include <filesystem>
#include <stdexcept>

#include "httpd/files.h"
#include "web/dashboard_routes.h"
#include "web/farm_metrics.h"

namespace cbit::web {

httpd::Options ServerOptions(const Config& cfg) {
  using std::chrono::seconds;
  httpd::Options o;
  o.interface = cfg.interface;
  o.port = cfg.port;
  o.workers = cfg.threads;
  o.io_threads = cfg.io_threads;
  o.head_timeout = seconds(cfg.head_timeout);
  o.body_timeout = seconds(cfg.body_timeout);
  o.idle_timeout = seconds(cfg.idle_timeout);
  o.max_body_bytes = static_cast<std::uint64_t>(cfg.max_body);
  o.max_body_memory = static_cast<std::uint64_t>(cfg.max_body_memory);
  o.max_connections = cfg.max_connections;
  o.max_connections_per_address = cfg.max_connections_per_address;
  o.max_push_backlog_bytes = static_cast<std::size_t>(cfg.stream_backlog);
  // Events are small: this holds hundreds, and bounds what a stalled
  // reader pins in the kernel.
  o.push_send_buffer_bytes = 64 << 10;
  o.default_headers = {
      {"Access-Control-Allow-Origin", "*"},
      {"Access-Control-Allow-Methods", "GET, POST, PUT, DELETE, OPTIONS"},
      {"Access-Control-Allow-Headers", "Authorization, Content-Type"},
      {"Access-Control-Max-Age", "86400"},
  };
  return o;
}

httpd::Options WithFastPath(httpd::Options o, const Router& router) {
  o.fast = [&router](Request& req) { return router.Fast(req); };
  return o;
}

httpd::Options WithMetrics(httpd::Options o, FarmMetrics* metrics) {
  if (metrics) {
    o.observe = [metrics](const Request& req, int status, std::chrono::steady_clock::duration d) {
      metrics->ObserveHttp(req, status, d);
    };
  }
  return o;
}

HttpServer::HttpServer(const Config& cfg, Api& api, Authenticator& auth)
    : router_(auth, cfg.auth_reads),
      server_(WithMetrics(WithFastPath(ServerOptions(cfg), router_), api.metrics),
              [this](Request& req) { return router_.Admit(req); }) {
  RegisterRoutes(router_, cfg, api);
  RegisterSessionRoutes(router_, api, auth);
}

void RegisterRoutes(Router& r, const Config& cfg, Api& api) {
  if (!cfg.repository.empty()) {
    if (!std::filesystem::is_directory(cfg.repository))
      throw std::runtime_error("web.repository " + cfg.repository + " is not a directory");
    RegisterRepositoryRoutes(r, cfg.repository);
  }
  RegisterLeaseRoutes(r, api);
  RegisterLookupRoutes(r, api);
  RegisterPackageRoutes(r, api);
  RegisterJobRoutes(r, api);
  RegisterLogRoutes(r, api);
  RegisterWebhookRoutes(r, api);
  RegisterEventRoutes(r, api);
  RegisterSigningRoutes(r, api);
  RegisterSummaryRoutes(r, api);
  RegisterPageRoutes(r);
  RegisterHealthRoutes(r, api);
}

MetricsOptions MetricsOptionsOf(const Config& cfg) {
  return {.cache = std::chrono::milliseconds(cfg.metrics_cache_ms)};
}

events::HubOptions EventOptions(const Config& cfg) {
  events::HubOptions o;
  o.kept = static_cast<std::size_t>(cfg.events_kept);
  // Half the push backlog: the replay is queued at once, before any of it
  // is written.
  o.replay_bytes = static_cast<std::size_t>(cfg.stream_backlog / 2);
  o.poll = std::chrono::milliseconds(cfg.events_poll_ms);
  o.keepalive = std::chrono::seconds(cfg.events_keepalive);
  return o;
}

void RegisterRepositoryRoutes(Router& r, const std::string& repository) {
  const std::string root = std::filesystem::canonical(repository).string();
  r.Get(
      "/debian/(.*)",
      [root](const Request& req, Response& res) {
        res = httpd::ServeFile(root, req.matches[1].str(), req.get_header_value("Range"));
      },
      Need::Public());
}

}  // namespace cbit::web
