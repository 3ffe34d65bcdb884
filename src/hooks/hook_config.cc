#include "hooks/hook_config.h"

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

extern char** environ;

namespace cbit::hooks {
namespace {

using nlohmann::json;

using json_config::Read;

}  // namespace

std::map<std::string, std::string> ProcessEnvironment() {
  std::map<std::string, std::string> env;
  for (char** e = environ; *e; ++e) {
    std::string entry(*e);
    auto eq = entry.find('=');
    if (eq != std::string::npos) env[entry.substr(0, eq)] = entry.substr(eq + 1);
  }
  return env;
}

std::string ChooseConfigPath(const std::string& flag,
                             const std::map<std::string, std::string>& env) {
  if (!flag.empty()) return flag;
  if (auto it = env.find("CBIT_HOOK_CONFIG"); it != env.end() && !it->second.empty())
    return it->second;
  std::error_code ec;
  return std::filesystem::exists(kDefaultConfigPath, ec) ? kDefaultConfigPath : "";
}

HookConfig LoadHookConfig(const std::string& path, const std::map<std::string, std::string>& env) {
  HookConfig c;
  if (!path.empty()) {
    std::ifstream in(path);
    if (!in) throw ConfigError("cannot read config file " + path);
    json doc = json::parse(in, nullptr, false, true);
    if (doc.is_discarded() || !doc.is_object()) throw ConfigError(path + " is not a JSON object");
    Read(doc, "url", c.url);
    Read(doc, "user", c.user);
    Read(doc, "password", c.password);
    Read(doc, "token", c.token);
    Read(doc, "distribution", c.distribution);
    Read(doc, "format", c.format);
    Read(doc, "uri", c.uri);
    Read(doc, "connect_timeout_seconds", c.connect_timeout_seconds);
    Read(doc, "timeout_seconds", c.timeout_seconds);
  }
  auto from_env = [&](const char* name, std::string& out) {
    if (auto it = env.find(name); it != env.end() && !it->second.empty()) out = it->second;
  };
  from_env("CBIT_URL", c.url);
  from_env("CBIT_USER", c.user);
  from_env("CBIT_PASSWORD", c.password);
  from_env("CBIT_TOKEN", c.token);
  from_env("CBIT_DISTRIBUTION", c.distribution);
  from_env("CBIT_FORMAT", c.format);
  from_env("CBIT_URI", c.uri);
  if (!c.url.starts_with("http://") && !c.url.starts_with("https://"))
    throw ConfigError("url '" + c.url + "' is not http://host[:port] or https://…");
  if (c.connect_timeout_seconds <= 0 || c.timeout_seconds <= 0)
    throw ConfigError("timeouts must be positive numbers of seconds");
  return c;
}

}  // namespace cbit::hooks
