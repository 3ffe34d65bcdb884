// cbit-web's configuration: a JSON file that also accepts pyBit's web.conf
// sections ("web", "controller", "db"), overridden by command-line flags.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "queue/publisher.h"
#include "util/json_config.h"
#include "web/auth.h"

namespace cbit::web {

/// A key is missing, malformed or refused; the message names it.
using ConfigError = cbit::ConfigError;

/// "webhooks": forge push events (POST /webhook/<forge>). A forge without
/// its secret (token for GitLab) is not configured and answers 401.
struct WebhookConfig {
  std::string github_secret;
  std::string gitlab_token;
  std::string gitea_secret;
  std::string cache_dir = "var/webhook-mirrors";  ///< one git mirror per clone URL
  std::string distribution = "Debian";
  std::string format = "deb";
  /// When not empty, a clone URL must start with one of these (else 403).
  std::vector<std::string> allowed_uri_prefixes;
  int queue_limit = 1000;  ///< pushes stored and waiting for the worker; beyond it 503
  /// Tries of a push whose mirror cannot be updated before it is given up.
  int max_attempts = 8;
  /// Seconds before its second try; doubling after each failed one (≤ 1 h).
  int retry_seconds = 30;
  /// Mirrors no push used for this many days are deleted; 0: kept for ever.
  int mirror_keep_days = 30;

  bool enabled() const {
    return !github_secret.empty() || !gitlab_token.empty() || !gitea_secret.empty();
  }
};

struct Config {
  // "web"
  std::string interface = "0.0.0.0";
  int port = 8080;
  std::string hostname;              ///< host:port written into messages; default localhost:<port>
  int threads = 64;                  ///< HTTP worker threads: run the route handlers
  int io_threads = 2;                ///< threads that hold the connections
  int head_timeout = 10;             ///< seconds to send a request head
  int body_timeout = 60;             ///< seconds to send a request body
  int idle_timeout = 5;              ///< seconds a keep-alive connection may idle
  std::int64_t max_body = 16 << 20;  ///< bytes of a request body
  /// Bytes of request bodies being read at once, over all connections.
  std::int64_t max_body_memory = 64 << 20;
  int max_connections = 10000;            ///< open at once
  int max_connections_per_address = 512;  ///< open at once from one client address
  bool auth_reads = false;
  /// How long GET /metrics reuses the figures it read from the database and
  /// the broker (ms; 0: read at every scrape).
  int metrics_cache_ms = 5000;
  /// GET /events (src/events/hub.h): events kept in memory for streams
  /// that resume, how often the database is read while a stream is open
  /// (ms), and how often an idle stream gets a keep-alive comment (s).
  int events_kept = 4096;
  int events_poll_ms = 1000;
  int events_keepalive = 20;
  /// Bytes pushed to a stream that its client has not taken; past them the
  /// stream is closed (a slow or stalled reader).
  std::int64_t stream_backlog = 4 << 20;
  /// name → "<argon2id hash>" (an admin) or {"hash": …, "role": …,
  /// "client": … (builder), "queues": […] (builder, optional)}.
  std::map<std::string, User> users;
  /// An apt repository (e.g. reprepro's base dir) served read-only under
  /// /debian/; empty: none.
  std::string repository;
  // "db"
  std::string db_backend = "sqlite";  ///< sqlite | postgres
  std::string sqlite_path = "var/cbit.db";
  std::string pg_conninfo;
  int db_pool = 8;
  /// Jobs kept in memory for GET /job/<id> (store/job_cache.h); 0: none.
  int job_cache = 65536;
  // "controller"
  queue::AmqpOptions amqp;
  /// Answer a submission once the broker confirmed it, not once committed.
  bool wait_for_confirm = false;
  /// Accept submissions whose uri is a local path or file: URI (a farm on
  /// one machine); refused with 400 otherwise.
  bool allow_local_uris = false;
  /// Build logs: bytes per attempt, attempts kept per job (0: all), days
  /// kept (0: for ever).
  std::int64_t log_limit_bytes = std::int64_t{32} << 20;
  int log_keep_attempts = 0;
  int log_keep_days = 0;
  /// Leases: a Building job whose holder is silent this long goes back to
  /// the queue as a new attempt, or fails after max_attempts attempts.
  int lease_seconds = 300;
  int max_attempts = 3;
  /// How long the database is waited for at start-up (0: tried once).
  int startup_wait_seconds = 60;
  std::string log_level = "info";
  WebhookConfig webhooks;

  /// host:port for BuildRequest.web_host.
  std::string WebHost() const;
};

/// Reads a config file over the defaults. Throws ConfigError naming the key.
Config LoadConfig(const std::string& path, Config base = {});
/// Parses "sqlite:PATH" or "postgres:CONNINFO" into the config.
void SetDatabase(Config& c, const std::string& spec);
/// Parses "host[:port]", or several separated by commas (a cluster's
/// nodes, tried in order), into the AMQP options.
void SetAmqpAddress(Config& c, const std::string& address);

}  // namespace cbit::web
