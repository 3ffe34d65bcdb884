// cbit-hook's configuration: a JSON file, then environment variables over
// it. Credentials live here (or in the environment), never in hook scripts.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "util/json_config.h"

namespace cbit::hooks {

/// A config key or file is malformed or unreadable; the message names it.
using ConfigError = cbit::ConfigError;

struct HookConfig {
  /// The controllers, http[s]://host[:port][/prefix], tried in order: a
  /// submission goes to the next one when one cannot be connected to (two
  /// cbit-web on one PostgreSQL).
  std::vector<std::string> urls{"http://localhost:8080"};
  std::string user;
  std::string password;
  std::string token;  ///< an API token (role submitter); sent instead of user/password
  std::string distribution = "Debian";
  std::string format = "deb";
  /// The uri submitted; "{name}" is replaced by the repository's directory
  /// name. Empty: git → the repository's absolute path, svn → file://REPOS,
  /// apt → "apt" (the client fetches by name and version from its own
  /// sources list and never reads it).
  std::string uri;
  int connect_timeout_seconds = 10;
  int timeout_seconds = 60;  ///< read/write deadline of the submission
};

inline constexpr const char* kDefaultConfigPath = "/etc/cbit/hook.json";

/// Reads `path` (when not empty) over the defaults, then applies the
/// environment `env` (CBIT_URL: one URL or several separated by commas or
/// spaces, CBIT_USER, CBIT_PASSWORD, CBIT_DISTRIBUTION,
/// CBIT_FORMAT, CBIT_URI). Throws ConfigError.
HookConfig LoadHookConfig(const std::string& path, const std::map<std::string, std::string>& env);

/// Which file to read: --config, else $CBIT_HOOK_CONFIG, else the default
/// path when it exists; "" for none.
std::string ChooseConfigPath(const std::string& flag,
                             const std::map<std::string, std::string>& env);

/// The process environment as a map.
std::map<std::string, std::string> ProcessEnvironment();

}  // namespace cbit::hooks
