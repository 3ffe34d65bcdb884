#include "tests/support/scrape.h"

#include <httplib.h>

#include <stdexcept>

namespace cbit::testing {

metrics::Exposition Scrape(int port) {
  httplib::Client c("127.0.0.1", port);
  c.set_connection_timeout(5);
  c.set_read_timeout(5);
  auto r = c.Get("/metrics");
  if (!r || r->status != 200)
    throw std::runtime_error("no metrics on port " + std::to_string(port));
  if (r->get_header_value("Content-Type") != "text/plain; version=0.0.4; charset=utf-8")
    throw std::runtime_error("metrics as " + r->get_header_value("Content-Type"));
  return metrics::ParseExposition(r->body);
}

std::string RawMetrics(int port) {
  httplib::Client c("127.0.0.1", port);
  c.set_connection_timeout(5);
  c.set_read_timeout(5);
  auto r = c.Get("/metrics");
  return r ? r->body : "";
}

int StatusOf(int port, const std::string& method, const std::string& path) {
  httplib::Client c("127.0.0.1", port);
  c.set_connection_timeout(5);
  c.set_read_timeout(5);
  httplib::Request req;
  req.method = method;
  req.path = path;
  auto r = c.send(req);
  return r ? r->status : 0;
}

}  // namespace cbit::testing
