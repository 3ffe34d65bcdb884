#include "metricsd/listener.h"

#include "httpd/server.h"

namespace cbit::metricsd {
namespace {

using namespace std::chrono_literals;

// A scraper or a health probe holds one connection at a time: a few are
// plenty, and a client that opens more, or never finishes its head, is cut
// off quickly instead of holding threads or memory.
httpd::Options ListenerOptions(const Endpoint& where) {
  httpd::Options o;
  o.interface = where.address;
  o.port = where.port;
  o.io_threads = 1;
  o.workers = 1;
  o.head_timeout = 5s;
  o.body_timeout = 1s;
  o.idle_timeout = 5s;
  o.write_timeout = 10s;
  o.max_head_bytes = 8 << 10;
  o.max_body_bytes = 1 << 10;
  o.max_body_memory = 16 << 10;
  o.max_connections = 16;
  o.max_connections_per_address = 8;
  return o;
}

}  // namespace

httpd::Response Answer(const httpd::Request& req, const std::function<std::string()>& render) {
  const bool metrics = req.path == "/metrics";
  if (!metrics && req.path != "/health/live") return httpd::ErrorResponse(404, "not found");
  if (req.method != "GET") {
    httpd::Response res = httpd::ErrorResponse(405, "only GET is allowed here");
    res.set_header("Allow", "GET");
    return res;
  }
  httpd::Response res;
  res.set_header("Cache-Control", "no-store");
  if (metrics) {
    res.set_content(render(), "text/plain; version=0.0.4; charset=utf-8");
  } else {
    res.set_content(R"({"status": "live"})", "application/json");
  }
  return res;
}

Listener::Listener(const Endpoint& where, std::function<std::string()> render)
    : render_(std::move(render)) {
  httpd::Options o = ListenerOptions(where);
  // Every answer is made from memory on the I/O thread; a request with a
  // body reaches Admit, which answers it without reading the body.
  o.fast = [this](httpd::Request& req) -> std::optional<httpd::Response> {
    return Answer(req, render_);
  };
  server_ = std::make_unique<httpd::Server>(std::move(o), [this](httpd::Request& req) {
    return httpd::Admission{Answer(req, render_), {}};
  });
  port_ = server_->Bind();
  thread_ = std::thread([this] { server_->Serve(); });
}

Listener::~Listener() {
  server_->Stop();
  if (thread_.joinable()) thread_.join();
}

}  // namespace cbit::metricsd
