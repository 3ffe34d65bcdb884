// cbit-watcher's configuration: a JSON file shaped as pyBit's watcher.conf
// ("rules" maps each incoming directory to a reprepro base directory and an
// incoming rule; "sleeptime"; "dryrun"; optional "user") plus cbit's own keys
// (the controller to report to, deadlines). Every key is documented in
// `cbit-watcher --help` (src/watcher/main.cc).
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "metricsd/endpoint.h"
#include "util/json_config.h"

namespace cbit::watcher {

/// A key is missing, malformed or refused; the message names it.
using ConfigError = cbit::ConfigError;

/// One watched incoming directory: `reprepro -b repobase processincoming rule`.
struct Rule {
  std::string incoming;  ///< absolute path of the watched directory
  std::string repobase;  ///< reprepro's base directory (holds conf/)
  std::string rule;      ///< the Name: of a stanza of repobase/conf/incoming
};

struct WatcherConfig {
  // pyBit's watcher.conf keys.
  std::vector<Rule> rules;            ///< ordered by incoming directory
  std::chrono::seconds sleeptime{3};  ///< quiet time after the last upload before acting
  bool dryrun = false;                ///< log the commands, run none, report nothing
  std::string user;                   ///< when set, the user the watcher must run as
  // cbit's additions.
  std::string controller_url;  ///< "http://host:port" (the first of controller_urls)
  /// Every controller (cbit-web on one database), tried in order
  /// ("controller_url": a URL or a list).
  std::vector<std::string> controller_urls;
  std::string controller_user;
  std::string controller_password;
  std::string controller_token;  ///< "token": an API token; then user/password are not needed
  std::chrono::seconds http_timeout{10};       ///< deadline of each controller call
  std::chrono::seconds reprepro_timeout{600};  ///< deadline of each reprepro command
  std::chrono::seconds retry_max{300};         ///< longest wait between report attempts
  std::string failed_dir = "failed";           ///< refused uploads go here, below the incoming dir
  /// Reports wait here until the controller has them (spool.h); empty: in
  /// memory only. ParseConfig defaults it to <first incoming dir>/reports.
  std::string spool_dir;
  std::string log_level = "info";
  /// GET /metrics and /health/live (metrics_port, metrics_address): off by default.
  metricsd::Endpoint metrics;
};

/// Parses the JSON text of a config file. Throws ConfigError naming the first
/// missing or malformed key. pyBit's `"configured": false` is refused.
WatcherConfig ParseConfig(const std::string& json_text);

/// Reads and parses a config file.
WatcherConfig LoadConfig(const std::string& path);

}  // namespace cbit::watcher
