// The HTTP server: cpp-httplib tuned for keep-alive clients (no Nagle delay,
// a worker per expected connection, long keep-alive), CORS on every answer
// and on OPTIONS preflight, JSON errors for unknown routes.
#pragma once

#include <httplib.h>

#include <string>

#include "web/api.h"
#include "web/auth.h"
#include "web/config.h"

namespace cbit::web {

class HttpServer {
 public:
  HttpServer(const Config& cfg, Api& api, Authenticator& auth);
  /// Binds; returns the port (useful with port 0). Throws on failure.
  int Bind();
  /// Serves until Stop(); call after Bind().
  void Serve();
  void Stop() { server_.stop(); }

 private:
  const Config& cfg_;
  httplib::Server server_;
  Router router_;
};

}  // namespace cbit::web
