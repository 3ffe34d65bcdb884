#include "watcher/config.h"

#include <algorithm>
#include <nlohmann/json.hpp>

namespace cbit::watcher {
namespace {

using nlohmann::json;

using json_config::Read;
using json_config::ReadSeconds;
using json_config::Require;

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

// One controller, or several on one database (the reports fail over).
void ReadControllerUrls(const json& j, WatcherConfig& c) {
  if (j.contains("controller_url") && j["controller_url"].is_array()) {
    for (const auto& u : j["controller_url"]) {
      if (!u.is_string()) throw ConfigError("config key 'controller_url' must list URLs");
      c.controller_urls.push_back(u.get<std::string>());
    }
    if (c.controller_urls.empty()) throw ConfigError("config key 'controller_url' lists no URL");
  } else {
    c.controller_urls = {Require(j, "controller_url")};
  }
  for (const auto& url : c.controller_urls) {
    if (url.rfind("http://", 0) != 0 && url.rfind("https://", 0) != 0)
      throw ConfigError("controller_url '" + url + "' must start with http:// or https://");
  }
  c.controller_url = c.controller_urls.front();
}

}  // namespace

WatcherConfig ParseConfig(const std::string& json_text) {
  json j = json_config::ParseObject(json_text);
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
  ReadControllerUrls(j, c);
  Read(j, "token", c.controller_token);
  if (c.controller_token.empty()) {
    c.controller_user = Require(j, "controller_user");
    c.controller_password = Require(j, "controller_password");
  }
  ReadSeconds(j, "http_timeout_seconds", c.http_timeout, 1);
  ReadSeconds(j, "reprepro_timeout_seconds", c.reprepro_timeout, 1);
  ReadSeconds(j, "retry_max_seconds", c.retry_max, 1);
  Read(j, "failed_dir", c.failed_dir);
  if (c.failed_dir.empty() || c.failed_dir.find('/') != std::string::npos ||
      c.failed_dir.front() == '.') {
    throw ConfigError("failed_dir must be a plain directory name");
  }
  c.spool_dir = c.rules.front().incoming + "/reports";
  Read(j, "spool_dir", c.spool_dir);
  if (c.spool_dir.empty() || c.spool_dir.front() != '/') {
    throw ConfigError("spool_dir '" + c.spool_dir + "' must be an absolute path");
  }
  Read(j, "log_level", c.log_level);
  metricsd::ReadEndpoint(j, c.metrics);
  return c;
}

WatcherConfig LoadConfig(const std::string& path) {
  return ParseConfig(json_config::ReadFile(path));
}

}  // namespace cbit::watcher
