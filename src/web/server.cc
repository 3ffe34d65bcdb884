#include "web/server.h"

#include <spdlog/spdlog.h>

#include <stdexcept>

namespace cbit::web {

HttpServer::HttpServer(const Config& cfg, Api& api, Authenticator& auth)
    : cfg_(cfg), router_(server_, auth, cfg.auth_reads) {
  // Defaults give ~290 req/s on keep-alive connections (Nagle + a small
  // pool); tuned, the same machine serves tens of thousands.
  server_.set_tcp_nodelay(true);
  server_.set_keep_alive_max_count(1000000);
  // An idle keep-alive connection holds a worker; shutdown waits for it.
  server_.set_keep_alive_timeout(5);
  server_.set_read_timeout(30, 0);
  server_.set_write_timeout(30, 0);
  server_.set_payload_max_length(16 << 20);
  int threads = cfg.threads;
  server_.new_task_queue = [threads] { return new httplib::ThreadPool(threads); };
  server_.set_default_headers({
      {"Access-Control-Allow-Origin", "*"},
      {"Access-Control-Allow-Methods", "GET, POST, PUT, DELETE, OPTIONS"},
      {"Access-Control-Allow-Headers", "Authorization, Content-Type"},
      {"Access-Control-Max-Age", "86400"},
  });
  server_.Options(".*", [](const httplib::Request&, httplib::Response& res) { res.status = 204; });
  server_.set_error_handler([](const httplib::Request& req, httplib::Response& res) {
    if (!res.body.empty()) return;  // a handler already said why
    if (res.status == 404) {
      SendError(res, 404, "no route for " + req.method + " " + req.path);
    } else {
      SendError(res, res.status, "HTTP error " + std::to_string(res.status));
    }
  });
  server_.set_exception_handler(
      [](const httplib::Request&, httplib::Response& res, const std::exception_ptr& e) {
        auto [status, msg] = ErrorStatus(e);
        SendError(res, status, msg);
      });

  // The farm's apt repository, read-only; httplib refuses paths with "..".
  if (!cfg.repository.empty() && !server_.set_mount_point("/debian", cfg.repository))
    throw std::runtime_error("web.repository " + cfg.repository + " is not a directory");

  RegisterLookupRoutes(router_, api);
  RegisterPackageRoutes(router_, api);
  RegisterJobRoutes(router_, api);
  RegisterLogRoutes(router_, api);
  RegisterWebhookRoutes(router_, api);
}

int HttpServer::Bind() {
  int port = cfg_.port;
  if (port == 0) {
    port = server_.bind_to_any_port(cfg_.interface);
    if (port < 0) throw std::runtime_error("cannot bind " + cfg_.interface);
  } else if (!server_.bind_to_port(cfg_.interface, port)) {
    throw std::runtime_error("cannot listen on " + cfg_.interface + ":" + std::to_string(port));
  }
  return port;
}

void HttpServer::Serve() { server_.listen_after_bind(); }

}  // namespace cbit::web
