#include "util/json_config.h"

#include <fstream>
#include <sstream>

namespace cbit::json_config {

std::string KeyName(const char* key, std::string_view where) {
  if (where.empty()) return std::string("config key '") + key + "'";
  return std::string(where) + "." + key;
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw ConfigError("cannot read the config file " + path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

nlohmann::json ParseObject(const std::string& text) {
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(text);
  } catch (const nlohmann::json::exception& e) {
    throw ConfigError(std::string("the config is not JSON: ") + e.what());
  }
  if (!j.is_object()) throw ConfigError("the config must be a JSON object");
  return j;
}

void ReadSeconds(const nlohmann::json& j, const char* key, std::chrono::seconds& out, int min) {
  int s = static_cast<int>(out.count());
  if (Read(j, key, s)) {
    if (s < min) throw ConfigError(KeyName(key) + " must be at least " + std::to_string(min));
    out = std::chrono::seconds(s);
  }
}

std::string Require(const nlohmann::json& j, const char* key) {
  std::string v;
  Read(j, key, v);
  if (v.empty()) throw ConfigError(KeyName(key) + " is required");
  return v;
}

}  // namespace cbit::json_config
