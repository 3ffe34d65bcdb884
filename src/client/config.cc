#include "client/config.h"

#include <algorithm>
#include <cmath>
#include <nlohmann/json.hpp>

#include "core/debian.h"

namespace cbit::client {
namespace {

using nlohmann::json;

using json_config::Read;
using json_config::ReadSeconds;
using json_config::Require;

void ReadBuilder(const json& j, ClientConfig& c) {
  std::string builder = "sbuild", mode = "schroot";
  Read(j, "builder", builder);
  Read(j, "sbuild_mode", mode);
  Read(j, "chroot_dir", c.build.chroot_dir);
  Read(j, "roots_dir", c.build.roots_dir);
  Read(j, "apt_cache_dir", c.build.apt_cache_dir);
  Read(j, "build_network", c.build.build_network);
  if (builder == "host") {
    c.build.kind = BuilderKind::kHost;
  } else if (builder == "isolated") {
    c.build.kind = BuilderKind::kIsolated;
    if (c.build.roots_dir.empty() || c.build.roots_dir[0] != '/' ||
        c.build.roots_dir.find_first_of(",:") != std::string::npos) {
      throw ConfigError("config key 'roots_dir' must be an absolute path without ',' or ':'");
    }
  } else if (builder != "sbuild") {
    throw ConfigError("config key 'builder' must be \"isolated\", \"host\" or \"sbuild\", not '" +
                      builder + "'");
  } else if (mode == "unshare") {
    c.build.kind = BuilderKind::kSbuildUnshare;
    if (c.build.chroot_dir.empty()) {
      throw ConfigError("config key 'chroot_dir' is required with sbuild_mode \"unshare\"");
    }
  } else if (mode == "schroot") {
    c.build.kind = BuilderKind::kSbuildSchroot;
  } else {
    throw ConfigError("config key 'sbuild_mode' must be \"unshare\" or \"schroot\"");
  }
}

// Names that become queue names, routing keys or command-line arguments.
void CheckNames(const ClientConfig& c) {
  if (!debian::IsToken(c.clientid)) throw ConfigError("clientid '" + c.clientid + "' is malformed");
  if (!debian::IsArch(c.host_arch))
    throw ConfigError("host_arch '" + c.host_arch + "' is malformed");
  if (!debian::IsToken(c.distribution)) throw ConfigError("distribution is malformed");
  if (!debian::IsToken(c.pkg_format)) throw ConfigError("pkg_format is malformed");
  if (c.suites.empty()) throw ConfigError("config key 'suites' needs at least one suite");
  for (const auto& s : c.suites)
    if (!debian::IsToken(s)) throw ConfigError("suite '" + s + "' is malformed");
  if (!debian::IsToken(c.dput_dest)) {
    throw ConfigError("config key 'dput_dest' (the dput target) is required");
  }
  for (const auto& a : c.build.cross_arches) {
    if (!debian::IsArch(a) || a == "all" || a == "any" || a == "source") {
      throw ConfigError("cross_arches: '" + a + "' is not an architecture");
    }
    if (a == c.host_arch) {
      throw ConfigError("cross_arches: '" + a + "' is host_arch, which is built natively");
    }
    if (std::count(c.build.cross_arches.begin(), c.build.cross_arches.end(), a) > 1) {
      throw ConfigError("cross_arches: '" + a + "' is named twice");
    }
  }
  for (const auto& url : c.controller_urls) {
    if (url.rfind("http://", 0) != 0 && url.rfind("https://", 0) != 0)
      throw ConfigError("controller_url must start with http:// or https://");
  }
}

// The step limits `j` sets over `out` (the top level, or one suite's entry
// of suite_limits, named by `where` in messages).
void ReadLimits(const json& j, StepLimits& out, const std::string& where) {
  try {
    ReadSeconds(j, "fetch_timeout_seconds", out.fetch, 0);
    ReadSeconds(j, "upload_timeout_seconds", out.upload, 0);
    bool seconds = j.contains("build_timeout_seconds");
    ReadSeconds(j, "build_timeout_seconds", out.build, 0);
    double hours = 0;
    if (Read(j, "build_timeout_hours", hours)) {
      if (seconds) throw ConfigError("set build_timeout_hours or build_timeout_seconds, not both");
      if (!(hours >= 0 && hours <= 24 * 366)) {
        throw ConfigError("build_timeout_hours must be from 0 to 8784");
      }
      out.build = std::chrono::seconds(std::llround(hours * 3600));
    }
  } catch (const ConfigError& e) {
    if (where.empty()) throw;
    throw ConfigError(where + ": " + e.what());
  }
}

// suite_limits: {"<suite>": {step limits}}: each key a suite of the client,
// each unset limit the top level's.
void ReadSuiteLimits(const json& j, ClientConfig& c) {
  auto it = j.find("suite_limits");
  if (it == j.end() || it->is_null()) return;
  if (!it->is_object()) throw ConfigError("config key 'suite_limits' must be an object");
  static const std::vector<std::string> kKeys = {"fetch_timeout_seconds", "upload_timeout_seconds",
                                                 "build_timeout_seconds", "build_timeout_hours"};
  for (const auto& [suite, limits] : it->items()) {
    std::string where = "suite_limits." + suite;
    if (std::find(c.suites.begin(), c.suites.end(), suite) == c.suites.end()) {
      throw ConfigError(std::string(where).append(": '").append(suite).append(
          "' is not one of the client's suites"));
    }
    if (!limits.is_object()) throw ConfigError(where + " must be an object");
    for (const auto& [key, value] : limits.items()) {
      if (std::find(kKeys.begin(), kKeys.end(), key) == kKeys.end()) {
        throw ConfigError(std::string(where).append(": unknown key '").append(key).append("'"));
      }
    }
    StepLimits l = c.limits;
    ReadLimits(limits, l, where);
    c.suite_limits[suite] = l;
  }
}

// The delays of retried requests, and how often a failure of the build
// machine is retried.
void ReadRetries(const json& j, ClientConfig& c) {
  ReadSeconds(j, "retry_base_seconds", c.retry_base, 0);
  ReadSeconds(j, "retry_max_seconds", c.retry_max, 0);
  if (c.retry_base.count() < 1 || c.retry_max < c.retry_base) {
    throw ConfigError("retry_base_seconds must be at least 1 and at most retry_max_seconds");
  }
  Read(j, "infra_retries", c.infra_retries);
  if (c.infra_retries < 0 || c.infra_retries > 100) {
    throw ConfigError("infra_retries must be from 0 to 100");
  }
}

// pyBit's host and port, or "host" as a list of a cluster's nodes, tried in
// order ("name" or "name:port"; "port" is the port of those that name none).
void ReadBrokers(const json& j, ClientConfig& c) {
  Read(j, "port", c.amqp.port);
  if (j.contains("host") && j["host"].is_array()) {
    std::vector<std::string> hosts;
    Read(j, "host", hosts);
    queue::SetBrokerAddresses(c.amqp, hosts, c.amqp.port, "config key 'host'");
  } else {
    Read(j, "host", c.amqp.host);
  }
  std::string queue_type = queue::QueueTypeName(c.amqp.queue_type);
  Read(j, "queue_type", queue_type);
  queue::SetQueueType(c.amqp, queue_type, "config key 'queue_type'");
}

// The grace of a cancel, the deadline of controller calls, and how often the
// client is heard from.
void ReadTimings(const json& j, ClientConfig& c) {
  ReadSeconds(j, "cancel_grace_seconds", c.cancel_grace, 0);
  ReadSeconds(j, "http_timeout_seconds", c.http_timeout, 0);
  if (c.http_timeout.count() < 1) throw ConfigError("http_timeout_seconds must be at least 1");
  ReadSeconds(j, "startup_wait_seconds", c.startup_wait, 0);
  std::chrono::seconds renew{c.lease_renew.count() / 1000}, heartbeat{c.heartbeat.count() / 1000};
  ReadSeconds(j, "lease_renew_seconds", renew, 0);
  ReadSeconds(j, "heartbeat_seconds", heartbeat, 0);
  if (renew.count() < 1 || heartbeat.count() < 1)
    throw ConfigError("lease_renew_seconds and heartbeat_seconds must be at least 1");
  c.lease_renew = renew;
  c.heartbeat = heartbeat;
}

// One controller, or several (cbit-web on one PostgreSQL), tried in order.
void ReadControllerUrls(const json& j, ClientConfig& c) {
  if (j.contains("controller_url") && j["controller_url"].is_array()) {
    for (const auto& u : j["controller_url"]) {
      if (!u.is_string()) throw ConfigError("config key 'controller_url' must list URLs");
      c.controller_urls.push_back(u.get<std::string>());
    }
    if (c.controller_urls.empty()) throw ConfigError("config key 'controller_url' lists no URL");
    c.controller_url = c.controller_urls.front();
  } else {
    c.controller_url = Require(j, "controller_url");
    c.controller_urls = {c.controller_url};
  }
}

}  // namespace

const StepLimits& ClientConfig::LimitsFor(const std::string& suite) const {
  auto it = suite_limits.find(suite);
  return it == suite_limits.end() ? limits : it->second;
}

ClientConfig ParseConfig(const std::string& json_text) {
  json j = json_config::ParseObject(json_text);
  // pyBit's packaged client.conf says "configured": false until edited, and
  // its client refused to start from it. Checked first: the template's other
  // keys are empty, and the message must name the real cause.
  bool configured = true;
  Read(j, "configured", configured);
  if (!configured) {
    throw ConfigError(
        "config key 'configured' is false: the file is an unedited template; fill it in, then "
        "set \"configured\": true or remove the key");
  }
  ClientConfig c;
  c.clientid = Require(j, "clientid");
  c.host_arch = Require(j, "host_arch");
  c.distribution = Require(j, "distribution");
  Read(j, "pkg_format", c.pkg_format);
  Read(j, "suites", c.suites);
  Read(j, "buildroot", c.buildroot);
  ReadBrokers(j, c);
  Read(j, "vhost", c.amqp.vhost);
  Read(j, "exchange", c.amqp.exchange);
  // No default credentials, for the broker or the controller: a client that
  // silently tried guest/guest would fail far from the cause.
  c.amqp.user = Require(j, "userid");
  c.amqp.password = Require(j, "password");
  Read(j, "dry_run", c.dry_run);
  Read(j, "use_lvm", c.use_lvm);
  Read(j, "dput", c.dput);
  Read(j, "dput_dest", c.dput_dest);
  Read(j, "poll_time", c.poll_time);
  Read(j, "debsignkey", c.debsignkey);
  ReadControllerUrls(j, c);
  Read(j, "token", c.controller_token);
  if (c.controller_token.empty()) {
    c.controller_user = Require(j, "controller_user");
    c.controller_password = Require(j, "controller_password");
  }
  Read(j, "dput_config", c.dput_config);
  Read(j, "require_signed_messages", c.require_signed_messages);
  ReadBuilder(j, c);
  c.build.build_arch = c.host_arch;
  Read(j, "cross_arches", c.build.cross_arches);
  ReadLimits(j, c.limits, "");
  Read(j, "apt_sources_list", c.fetch.apt_sources_list);
  ReadRetries(j, c);
  ReadTimings(j, c);
  Read(j, "jobs", c.jobs);
  if (c.jobs < 1 || c.jobs > kMaxJobs) {
    throw ConfigError("config key 'jobs' must be from 1 to " + std::to_string(kMaxJobs));
  }
  Read(j, "log_level", c.log_level);
  metricsd::ReadEndpoint(j, c.metrics);
  CheckNames(c);
  ReadSuiteLimits(j, c);
  return c;
}

ClientConfig LoadConfig(const std::string& path) {
  return ParseConfig(json_config::ReadFile(path));
}

}  // namespace cbit::client
