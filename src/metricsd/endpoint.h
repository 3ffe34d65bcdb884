// Where a daemon serves its own GET /metrics and /health/live: off unless a
// port is configured (metrics_port, --metrics-port), and then on the
// loopback address unless metrics_address says otherwise, because the
// figures name jobs and clients and need no credentials to read.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "util/json_config.h"

namespace cbit::metricsd {

struct Endpoint {
  std::string address = "127.0.0.1";
  int port = 0;  ///< 0: no listener
  bool enabled() const { return port != 0; }
};

/// Reads metrics_port (0 to 65535) and metrics_address (an IPv4 or IPv6
/// literal) of a config file's top level into `out`; throws ConfigError
/// naming the key.
void ReadEndpoint(const nlohmann::json& j, Endpoint& out);

/// The port as given on a command line (--metrics-port); throws ConfigError.
int ParsePort(const std::string& text);

}  // namespace cbit::metricsd
