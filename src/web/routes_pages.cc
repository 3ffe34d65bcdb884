// The dashboard (src/dashboard): GET / is its page, GET /ui/<file> its
// scripts and style sheet, served from the binary (dashboard/assets.h). The
// pages read and act through the REST API like any other client; their
// Content-Security-Policy lets them run only their own scripts.
#include "dashboard/assets.h"
#include "web/dashboard_routes.h"

namespace cbit::web {
namespace {

// No inline script or style, nothing from elsewhere, no framing.
constexpr const char* kPolicy =
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

bool Serve(const std::string& name, const Request& req, Response& res) {
  const dashboard::Asset* a = dashboard::FindAsset(name);
  if (a == nullptr) return false;
  res.set_header("Content-Security-Policy", kPolicy);
  res.set_header("X-Content-Type-Options", "nosniff");
  res.set_header("X-Frame-Options", "DENY");
  res.set_header("Referrer-Policy", "same-origin");
  res.set_header("Cache-Control", "no-cache");
  res.set_header("ETag", a->etag);
  res.set_header("Access-Control-Allow-Origin", "");
  if (req.get_header_value("If-None-Match") == a->etag) {
    res.status = 304;
    return true;
  }
  res.set_content(std::string(a->body), std::string(a->content_type));
  return true;
}

void Page(const std::string& name, const Request& req, Response& res) {
  if (!Serve(name, req, res)) throw HttpError(404, "no dashboard file " + name);
}

}  // namespace

void RegisterPageRoutes(Router& r) {
  // From memory: answered on an I/O thread (Router::Fast).
  r.Get(
      "/", [](const Request& req, Response& res) { Page("index.html", req, res); }, Need::Public(),
      [](const Request& req, Response& res) { return Serve("index.html", req, res); });
  r.Get(R"(/ui/([A-Za-z0-9_-]+\.(js|css|svg|png)))",
        [](const Request& req, Response& res) { Page(req.matches[1].str(), req, res); },
        Need::Public(),
        [](const Request& req, Response& res) { return Serve(req.matches[1].str(), req, res); });
}

}  // namespace cbit::web
