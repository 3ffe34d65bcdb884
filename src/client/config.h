// cbit-client's configuration: a JSON file with the keys of pyBit's
// client.conf plus cbit's own (controller, builder, retry delays). Every key
// is documented in `cbit-client --help` (src/client/main.cc).
#pragma once

#include <chrono>
#include <map>
#include <string>
#include <vector>

#include "client/build.h"
#include "client/fetch.h"
#include "client/upload.h"
#include "metricsd/endpoint.h"
#include "queue/publisher.h"
#include "util/json_config.h"

namespace cbit::client {

/// A key is missing, malformed or refused; the message names it.
using ConfigError = cbit::ConfigError;

/// The time limits of a job's steps; zero: none. On expiry the step's
/// process group is killed and the job fails with the class timeout.
struct StepLimits {
  std::chrono::seconds fetch{3600};       ///< fetch_timeout_seconds
  std::chrono::seconds build{24 * 3600};  ///< build_timeout_hours (or build_timeout_seconds)
  std::chrono::seconds upload{1800};      ///< upload_timeout_seconds
};

/// The most builds one client runs at once.
inline constexpr int kMaxJobs = 64;

struct ClientConfig {
  // pyBit's client.conf keys.
  std::string clientid;  ///< the command queue's name and the client reported to the controller
  std::string host_arch;
  std::string distribution;
  std::string pkg_format = "deb";
  std::vector<std::string> suites;
  std::string buildroot = "/var/lib/cbit-client";  ///< one work directory per job below it
  queue::AmqpOptions amqp;  ///< host, port, userid, password, vhost (+ exchange)
  bool dry_run = false;
  bool use_lvm = false;    ///< accepted; schroot's own configuration decides
  std::string dput;        ///< accepted; cbit runs dput -f -c <dput_config>
  std::string dput_dest;   ///< upload target when the job has no build environment
  int poll_time = 0;       ///< accepted; requests are pushed, not polled
  std::string debsignkey;  ///< sign the .changes with this key before dput
  // cbit's additions.
  std::string controller_url;  ///< "http://host:port" (the first of controller_urls)
  /// Every controller, tried in order ("controller_url": a URL or a list).
  std::vector<std::string> controller_urls;
  std::string controller_user;  ///< HTTP Basic credentials (no default)
  std::string controller_password;
  std::string controller_token;  ///< "token": an API token; then user/password are not needed
  std::string dput_config = "/etc/dput.cf";
  /// builder "host" | "sbuild" (+ sbuild_mode, chroot_dir) | "isolated"
  /// (+ roots_dir, apt_cache_dir, build_network); build_arch is
  /// host_arch, cross_arches the architectures cross-built for (their
  /// queues are consumed too)
  BuildConfig build;
  FetchConfig fetch;  ///< apt_sources_list
  /// First delay before a Blocked job, or one whose build machine failed, is
  /// retried; the delays double up to retry_max.
  std::chrono::seconds retry_base{30};
  std::chrono::seconds retry_max{3600};
  /// How often a job whose step failed for a retryable class (Retryable in
  /// outcome.h) is handed back to the queue before it fails with its class.
  int infra_retries = 3;
  StepLimits limits;                               ///< every suite's, unless overridden
  std::map<std::string, StepLimits> suite_limits;  ///< suite_limits: per suite

  std::chrono::seconds cancel_grace{30};  ///< SIGINT, then SIGKILL after this
  std::chrono::seconds http_timeout{10};  ///< deadline of each controller call
  /// How long the broker and the controller are waited for at start-up
  /// (startup_wait_seconds; 0: tried once), under systemd's start timeout.
  std::chrono::seconds startup_wait{60};
  /// Renewal of the lease on the job being built (lease_renew_seconds), and
  /// the heartbeat that says the client is alive (heartbeat_seconds); both
  /// well under the controller's lease.
  std::chrono::milliseconds lease_renew{10000};
  std::chrono::milliseconds heartbeat{30000};
  std::string log_level = "info";
  /// GET /metrics and /health/live (metrics_port, metrics_address): off by default.
  metricsd::Endpoint metrics;
  /// Builds run at once (`jobs`), each in a work directory (and, isolated,
  /// a sandbox) of its own; also the build queues' prefetch.
  int jobs = 1;
  /// Only messages signed by the controller are acted on (message_auth.h);
  /// false for a pyBit controller, which signs nothing.
  bool require_signed_messages = true;

  UploadConfig Upload() const { return {dput_config, dput_dest, debsignkey}; }
  /// The limits of a job of `suite`.
  const StepLimits& LimitsFor(const std::string& suite) const;
};

/// Parses the JSON text of a config file. Throws ConfigError naming the first
/// missing or malformed key; credentials have no defaults and are required.
ClientConfig ParseConfig(const std::string& json_text);

/// Reads and parses a config file.
ClientConfig LoadConfig(const std::string& path);

}  // namespace cbit::client
