#include "httpd/json_error.h"

#include <nlohmann/json.hpp>

namespace cbit::httpd {

std::string JsonError(const std::string& message) {
  return "{\"error\": " +
         nlohmann::json(message).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) +
         "}";
}

}  // namespace cbit::httpd
