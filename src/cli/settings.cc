#include "cli/settings.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "cli/exit_code.h"

namespace cbit::cli {
namespace {

// Config files are small; a bigger one is not ours.
constexpr std::uintmax_t kMaxConfigBytes = 1 << 20;

std::string Key(const nlohmann::json& j, const char* key, const std::string& path,
                const std::string& fallback) {
  if (!j.contains(key)) return fallback;
  if (!j[key].is_string())
    throw CliError(ExitCode::kUsage, path + ": key '" + key + "' must be a string");
  return j[key].get<std::string>();
}

std::string TrimSlash(std::string url) {
  while (!url.empty() && url.back() == '/') url.pop_back();
  return url;
}

}  // namespace

Env ProcessEnv() {
  return [](const std::string& name) -> std::optional<std::string> {
    const char* v = std::getenv(name.c_str());
    if (v == nullptr || *v == '\0') return std::nullopt;
    return std::string(v);
  };
}

std::string UserConfigPath(const Env& env) {
  if (auto xdg = env("XDG_CONFIG_HOME")) return *xdg + "/cbit/config";
  if (auto home = env("HOME")) return *home + "/.config/cbit/config";
  throw CliError(ExitCode::kUsage, "neither XDG_CONFIG_HOME nor HOME is set: no config file");
}

std::string SiteConfigPath(const Env& env) {
  return env("CBIT_SITE_CONFIG").value_or("/etc/cbit/cli.json");
}

Settings ReadSettingsFile(const std::string& path, Settings base) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) return base;
  if (std::filesystem::file_size(path, ec) > kMaxConfigBytes || ec)
    throw CliError(ExitCode::kUsage, path + ": not a config file (unreadable or over 1 MiB)");
  std::ifstream in(path);
  if (!in) throw CliError(ExitCode::kUsage, path + ": cannot read: " + std::strerror(errno));
  nlohmann::json j = nlohmann::json::parse(in, nullptr, false);
  if (!j.is_object()) throw CliError(ExitCode::kUsage, path + ": not a JSON object");
  base.url = TrimSlash(Key(j, "url", path, base.url));
  base.credentials.token = Key(j, "token", path, base.credentials.token);
  base.credentials.user = Key(j, "user", path, base.credentials.user);
  base.credentials.password = Key(j, "password", path, base.credentials.password);
  base.distribution = Key(j, "distribution", path, base.distribution);
  base.format = Key(j, "format", path, base.format);
  return base;
}

Settings ResolveSettings(const Env& env, const std::string& url_option) {
  Settings site = ReadSettingsFile(SiteConfigPath(env), {});
  Settings s = ReadSettingsFile(UserConfigPath(env), site);
  std::string stored_for = s.url;
  if (auto u = env("CBIT_URL")) s.url = TrimSlash(*u);
  if (!url_option.empty()) s.url = TrimSlash(url_option);
  if (s.url != stored_for)
    s.credentials = site.url == s.url ? site.credentials : http::Credentials{};
  if (auto t = env("CBIT_TOKEN")) s.credentials = {.token = *t};
  if (s.url.empty())
    throw CliError(ExitCode::kUsage,
                   "no controller URL: run `cbit login`, set CBIT_URL or give --url");
  return s;
}

void WriteUserConfig(const std::string& path, const Settings& s) {
  namespace fs = std::filesystem;
  fs::path dir = fs::path(path).parent_path();
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) throw CliError(ExitCode::kUsage, "cannot create " + dir.string() + ": " + ec.message());
  ::chmod(dir.c_str(), 0700);
  nlohmann::json j = {{"url", s.url}};
  if (!s.credentials.token.empty()) j["token"] = s.credentials.token;
  if (!s.credentials.user.empty()) {
    j["user"] = s.credentials.user;
    j["password"] = s.credentials.password;
  }
  std::string text = j.dump(2) + "\n";
  // Created 0600 before the secret is written, then renamed over the old file.
  std::string tmp = path + ".tmp";
  ::unlink(tmp.c_str());
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) throw CliError(ExitCode::kUsage, "cannot write " + tmp + ": " + std::strerror(errno));
  bool ok = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size());
  ok = ::fsync(fd) == 0 && ok;
  ok = ::close(fd) == 0 && ok;
  if (!ok || ::rename(tmp.c_str(), path.c_str()) != 0) {
    ::unlink(tmp.c_str());
    throw CliError(ExitCode::kUsage, "cannot write " + path + ": " + std::strerror(errno));
  }
}

bool RemoveUserConfig(const std::string& path) { return ::unlink(path.c_str()) == 0; }

}  // namespace cbit::cli
