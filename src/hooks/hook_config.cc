#include "hooks/hook_config.h"

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

extern char** environ;

namespace cbit::hooks {
namespace {

using nlohmann::json;

using json_config::Read;

// "url": one URL, or a list of them in the order they are tried.
void ReadUrls(const json& doc, std::vector<std::string>& urls) {
  auto it = doc.find("url");
  if (it == doc.end()) return;
  if (it->is_string()) {
    urls = {it->get<std::string>()};
    return;
  }
  if (!it->is_array() || it->empty())
    throw ConfigError("config key 'url' must be a URL or a non-empty list of URLs");
  urls.clear();
  for (const json& u : *it) {
    if (!u.is_string()) throw ConfigError("config key 'url' must list URLs (strings)");
    urls.push_back(u.get<std::string>());
  }
}

std::vector<std::string> SplitUrls(const std::string& text) {
  std::vector<std::string> out;
  std::size_t at = 0;
  while ((at = text.find_first_not_of(", ", at)) != std::string::npos) {
    std::size_t end = text.find_first_of(", ", at);
    out.push_back(text.substr(at, end == std::string::npos ? end : end - at));
    at = end;
  }
  return out;
}

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
    ReadUrls(doc, c.urls);
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
  if (auto it = env.find("CBIT_URL"); it != env.end() && !SplitUrls(it->second).empty())
    c.urls = SplitUrls(it->second);
  from_env("CBIT_USER", c.user);
  from_env("CBIT_PASSWORD", c.password);
  from_env("CBIT_TOKEN", c.token);
  from_env("CBIT_DISTRIBUTION", c.distribution);
  from_env("CBIT_FORMAT", c.format);
  from_env("CBIT_URI", c.uri);
  for (const std::string& url : c.urls)
    if (!url.starts_with("http://") && !url.starts_with("https://"))
      throw ConfigError("url '" + url + "' is not http://host[:port] or https://…");
  if (c.connect_timeout_seconds <= 0 || c.timeout_seconds <= 0)
    throw ConfigError("timeouts must be positive numbers of seconds");
  return c;
}

}  // namespace cbit::hooks
