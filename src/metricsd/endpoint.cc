#include "metricsd/endpoint.h"

#include <boost/asio/ip/address.hpp>
#include <charconv>

#include "util/json_config.h"

namespace cbit::metricsd {

int ParsePort(const std::string& text) {
  int port = -1;
  const char* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(text.data(), end, port);
  if (ec != std::errc() || ptr != end || port < 0 || port > 65535) {
    throw ConfigError("metrics_port must be a number from 0 (off) to 65535, not '" + text + "'");
  }
  return port;
}

void ReadEndpoint(const nlohmann::json& j, Endpoint& out) {
  if (auto it = j.find("metrics_port"); it != j.end() && !it->is_null()) {
    if (it->is_string()) {
      out.port = ParsePort(it->get<std::string>());
    } else if (it->is_number_integer()) {
      out.port = ParsePort(std::to_string(it->get<long long>()));
    } else {
      throw ConfigError("config key 'metrics_port' has the wrong type");
    }
  }
  if (json_config::Read(j, "metrics_address", out.address)) {
    boost::system::error_code ec;
    boost::asio::ip::make_address(out.address, ec);
    if (ec) {
      throw ConfigError("config key 'metrics_address' must be an IP address (127.0.0.1, ::1, " +
                        std::string("0.0.0.0), not '") + out.address + "'");
    }
  }
}

}  // namespace cbit::metricsd
