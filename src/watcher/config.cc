#include "watcher/config.h"

#include <algorithm>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

namespace cbit::watcher {
namespace {

using nlohmann::json;

// Reads `key` into `out` when present; pyBit wrote numbers and booleans as
// strings as often as not.
template <typename T>
bool Read(const json& j, const char* key, T& out) {
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) return false;
  try {
    if constexpr (std::is_same_v<T, int>) {
      out = it->is_string() ? std::stoi(it->template get<std::string>()) : it->template get<int>();
    } else if constexpr (std::is_same_v<T, bool>) {
      out = it->is_string() ? it->template get<std::string>() == "true" : it->template get<bool>();
    } else {
      out = it->template get<T>();
    }
  } catch (const std::exception&) {
    throw ConfigError(std::string("config key '") + key + "' has the wrong type");
  }
  return true;
}

void ReadSeconds(const json& j, const char* key, std::chrono::seconds& out, int min) {
  int s = static_cast<int>(out.count());
  if (Read(j, key, s)) {
    if (s < min) {
      throw ConfigError(std::string("config key '") + key + "' must be at least " +
                        std::to_string(min));
    }
    out = std::chrono::seconds(s);
  }
}

std::string Require(const json& j, const char* key) {
  std::string v;
  Read(j, key, v);
  if (v.empty()) throw ConfigError(std::string("config key '") + key + "' is required");
  return v;
}

// reprepro's rule names and paths reach argv: refuse what could read as an
// option, and relative paths (the watcher's working directory is not the
// operator's).
Rule ReadRule(const std::string& incoming, const json& r) {
  if (!r.is_object()) throw ConfigError("rules['" + incoming + "'] must be an object");
  Rule out{incoming, Require(r, "repobase"), Require(r, "rule")};
  if (incoming.empty() || incoming.front() != '/') {
    throw ConfigError("incoming directory '" + incoming + "' must be an absolute path");
  }
  if (out.repobase.front() != '/') {
    throw ConfigError("repobase '" + out.repobase + "' must be an absolute path");
  }
  if (out.rule.front() == '-' || out.rule.find_first_of(" \t\n") != std::string::npos) {
    throw ConfigError("rule '" + out.rule + "' is malformed");
  }
  while (out.incoming.size() > 1 && out.incoming.back() == '/') out.incoming.pop_back();
  return out;
}

}  // namespace

WatcherConfig ParseConfig(const std::string& json_text) {
  json j;
  try {
    j = json::parse(json_text);
  } catch (const json::exception& e) {
    throw ConfigError(std::string("the config is not JSON: ") + e.what());
  }
  if (!j.is_object()) throw ConfigError("the config must be a JSON object");
  WatcherConfig c;
  bool configured = true;
  if (Read(j, "configured", configured) && !configured) {
    throw ConfigError("the config says \"configured\": false; edit it first");
  }
  auto rules = j.find("rules");
  if (rules == j.end() || !rules->is_object() || rules->empty()) {
    throw ConfigError(
        "config key 'rules' is required: {\"<incoming dir>\": {\"repobase\": …, "
        "\"rule\": …}}");
  }
  for (const auto& [dir, r] : rules->items()) c.rules.push_back(ReadRule(dir, r));
  for (std::size_t i = 1; i < c.rules.size(); ++i) {
    if (c.rules[i].incoming == c.rules[i - 1].incoming) {
      throw ConfigError("incoming directory '" + c.rules[i].incoming + "' appears twice");
    }
  }
  ReadSeconds(j, "sleeptime", c.sleeptime, 0);
  Read(j, "dryrun", c.dryrun);
  Read(j, "user", c.user);
  // No default credentials: a watcher that silently failed every report would
  // leave jobs Done forever.
  c.controller_url = Require(j, "controller_url");
  c.controller_user = Require(j, "controller_user");
  c.controller_password = Require(j, "controller_password");
  if (c.controller_url.rfind("http://", 0) != 0 && c.controller_url.rfind("https://", 0) != 0) {
    throw ConfigError("controller_url must start with http:// or https://");
  }
  ReadSeconds(j, "http_timeout_seconds", c.http_timeout, 1);
  ReadSeconds(j, "reprepro_timeout_seconds", c.reprepro_timeout, 1);
  ReadSeconds(j, "retry_max_seconds", c.retry_max, 1);
  Read(j, "failed_dir", c.failed_dir);
  if (c.failed_dir.empty() || c.failed_dir.find('/') != std::string::npos ||
      c.failed_dir.front() == '.') {
    throw ConfigError("failed_dir must be a plain directory name");
  }
  Read(j, "log_level", c.log_level);
  return c;
}

WatcherConfig LoadConfig(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw ConfigError("cannot read the config file " + path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ParseConfig(ss.str());
}

}  // namespace cbit::watcher
