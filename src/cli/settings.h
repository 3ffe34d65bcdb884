// Where `cbit` finds its controller and credentials: the site defaults
// (/etc/cbit/cli.json), the user's file written by `cbit login`
// ($XDG_CONFIG_HOME/cbit/config, else ~/.config/cbit/config; mode 0600),
// then CBIT_URL, CBIT_TOKEN and --url over them. All are JSON objects with
// the keys url, token, user, password, distribution and format.
#pragma once

#include <functional>
#include <optional>
#include <string>

#include "http/controller_client.h"

namespace cbit::cli {

/// One config file's keys, or the settings they add up to.
struct Settings {
  std::string url;
  http::Credentials credentials;
  std::string distribution = "Debian";
  std::string format = "deb";
};

/// Looks up an environment variable (getenv in the program; a map in tests).
using Env = std::function<std::optional<std::string>(const std::string&)>;
Env ProcessEnv();

/// The user's config file: $XDG_CONFIG_HOME/cbit/config, else
/// $HOME/.config/cbit/config. Throws CliError (usage) when neither is set.
std::string UserConfigPath(const Env& env);

/// The site's defaults: $CBIT_SITE_CONFIG, else /etc/cbit/cli.json.
std::string SiteConfigPath(const Env& env);

/// Reads one file's keys over `base`; a missing file leaves `base` as it is.
/// Throws CliError (usage) naming the file when it is not a JSON object of
/// strings.
Settings ReadSettingsFile(const std::string& path, Settings base);

/// Site file, user file, then the environment and `url_option` over them.
/// The user file's credentials are sent only to the URL they were stored
/// for: another URL (CBIT_URL, --url) gets CBIT_TOKEN or none, so a token
/// never goes to a host it was not made for.
Settings ResolveSettings(const Env& env, const std::string& url_option);

/// Writes `s` (url and credentials) as the user's config file, atomically
/// and with mode 0600 (its directory 0700). Throws CliError.
void WriteUserConfig(const std::string& path, const Settings& s);

/// Removes the file; false when there was none.
bool RemoveUserConfig(const std::string& path);

}  // namespace cbit::cli
