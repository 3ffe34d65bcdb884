#include "web/config.h"

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "core/debian.h"

namespace cbit::web {
namespace {

using nlohmann::json;

using json_config::Read;

std::string Quote(const std::string& v) {
  std::string out = "'";
  for (char c : v) {
    if (c == '\'' || c == '\\') out += '\\';
    out += c;
  }
  return out + "'";
}

}  // namespace

std::string Config::WebHost() const {
  return hostname.empty() ? "localhost:" + std::to_string(port) : hostname;
}

void SetDatabase(Config& c, const std::string& spec) {
  if (spec.rfind("sqlite:", 0) == 0) {
    c.db_backend = "sqlite";
    c.sqlite_path = spec.substr(7);
  } else if (spec.rfind("postgres:", 0) == 0) {
    c.db_backend = "postgres";
    c.pg_conninfo = spec.substr(9);
  } else {
    throw ConfigError("database '" + spec + "' is neither sqlite:PATH nor postgres:CONNINFO");
  }
}

void SetAmqpAddress(Config& c, const std::string& addresses) {
  std::vector<std::string> entries;
  std::stringstream in(addresses);
  for (std::string e; std::getline(in, e, ',');) entries.push_back(e);
  queue::SetBrokerAddresses(c.amqp, entries, c.amqp.port, "AMQP address");
}

namespace {

// web.*: the HTTP server's threads, deadlines and limits; each at least 1.
void ReadServerLimits(const json& w, Config& c) {
  auto positive = [&](const char* key, auto& field) {
    Read(w, key, field, "web");
    if (field < 1) throw ConfigError(std::string("web.") + key + " must be at least 1");
  };
  positive("threads", c.threads);
  positive("io_threads", c.io_threads);
  positive("head_timeout", c.head_timeout);
  positive("body_timeout", c.body_timeout);
  positive("idle_timeout", c.idle_timeout);
  positive("max_body", c.max_body);
  positive("max_body_memory", c.max_body_memory);
  positive("max_connections", c.max_connections);
  positive("max_connections_per_address", c.max_connections_per_address);
  positive("events_kept", c.events_kept);
  positive("events_poll_ms", c.events_poll_ms);
  positive("events_keepalive", c.events_keepalive);
  positive("stream_backlog", c.stream_backlog);
  if (c.stream_backlog < 16384) throw ConfigError("web.stream_backlog must be at least 16384");
}

// A web.users entry: a hash (an admin, as before roles), or an object with
// the hash, the role and what a builder is bound to.
User ReadUser(const std::string& name, const json& entry) {
  const std::string where = "web.users." + name;
  User u;
  if (entry.is_string()) {
    u.hash = entry.get<std::string>();
    return u;
  }
  if (!entry.is_object()) throw ConfigError(where + " must be a hash or an object");
  Read(entry, "hash", u.hash, where);
  if (u.hash.empty()) throw ConfigError(where + ".hash is missing");
  std::string role = "admin";
  Read(entry, "role", role, where);
  auto r = ParseRole(role);
  if (!r)
    throw ConfigError(where + ".role '" + role +
                      "' is not admin, builder, watcher, submitter or reader");
  u.role = *r;
  Read(entry, "client", u.client, where);
  Read(entry, "queues", u.queues, where);
  if (u.role == Role::kBuilder && !debian::IsToken(u.client))
    throw ConfigError(where + ".client must name the build client a builder reports as");
  if (u.role != Role::kBuilder && (!u.client.empty() || !u.queues.empty()))
    throw ConfigError(where + ": only a builder is bound to a client and queues");
  return u;
}

// "web": the HTTP server and its users.
void ReadWebSection(const json& w, Config& c) {
  Read(w, "interface", c.interface, "web");
  Read(w, "port", c.port, "web");
  std::string host;
  Read(w, "hostname", host, "web");
  if (!host.empty())
    c.hostname = host.find(':') == std::string::npos ? host + ":" + std::to_string(c.port) : host;
  Read(w, "threads", c.threads, "web");
  ReadServerLimits(w, c);
  Read(w, "auth_reads", c.auth_reads, "web");
  Read(w, "metrics_cache_ms", c.metrics_cache_ms, "web");
  if (c.metrics_cache_ms < 0) throw ConfigError("web.metrics_cache_ms must be at least 0");
  Read(w, "log_level", c.log_level, "web");
  Read(w, "repository", c.repository, "web");
  if (auto u = w.find("users"); u != w.end()) {
    if (!u->is_object()) throw ConfigError("web.users must map user names to password hashes");
    for (auto& [name, entry] : u->items()) c.users[name] = ReadUser(name, entry);
  }
  // pyBit's plain "username"/"password" pair is refused: secrets are stored hashed.
  if (w.contains("password"))
    throw ConfigError(
        "web.password holds a plain password; use web.users with a hash "
        "from `cbit-web hash-password`");
}

// "db": the store; pyBit's keys describe a PostgreSQL server.
void ReadDbSection(const json& d, Config& c) {
  Read(d, "backend", c.db_backend, "db");
  Read(d, "path", c.sqlite_path, "db");
  Read(d, "pool", c.db_pool, "db");
  Read(d, "job_cache", c.job_cache, "db");
  if (c.job_cache < 0) throw ConfigError("db.job_cache must be 0 or more jobs");
  std::string conninfo;
  Read(d, "conninfo", conninfo, "db");
  // pyBit's keys describe a PostgreSQL server.
  std::string host, name, user, password;
  int port = 0;
  Read(d, "hostname", host, "db");
  Read(d, "databasename", name, "db");
  Read(d, "user", user, "db");
  Read(d, "password", password, "db");
  Read(d, "port", port, "db");
  if (conninfo.empty() && (!host.empty() || !name.empty())) {
    if (!host.empty()) conninfo += "host=" + Quote(host) + " ";
    if (port) conninfo += "port=" + std::to_string(port) + " ";
    if (!name.empty()) conninfo += "dbname=" + Quote(name) + " ";
    if (!user.empty()) conninfo += "user=" + Quote(user) + " ";
    if (!password.empty()) conninfo += "password=" + Quote(password) + " ";
    if (!d.contains("backend")) c.db_backend = "postgres";
  }
  if (!conninfo.empty()) c.pg_conninfo = conninfo;
  if (c.db_backend != "sqlite" && c.db_backend != "postgres")
    throw ConfigError("db.backend must be sqlite or postgres, not " + c.db_backend);
}

// "host[:port]", as pyBit has it (rabbit_port, when set, is the port), or a
// list of a cluster's nodes (rabbit_port: the port of those that name none).
void ReadRabbitUrl(const json& q, Config& c) {
  auto it = q.find("rabbit_url");
  if (it == q.end() || !it->is_array()) {
    std::string url;
    Read(q, "rabbit_url", url, "controller");
    if (!url.empty())
      queue::SetBrokerAddresses(c.amqp, {url}, c.amqp.port, "controller.rabbit_url");
    Read(q, "rabbit_port", c.amqp.port, "controller");
    return;
  }
  std::vector<std::string> urls;
  Read(q, "rabbit_url", urls, "controller");
  int port = c.amqp.port;
  Read(q, "rabbit_port", port, "controller");
  queue::SetBrokerAddresses(c.amqp, urls, port, "controller.rabbit_url");
}

// "controller": the broker (pyBit's rabbit_* keys).
void ReadControllerSection(const json& q, Config& c) {
  ReadRabbitUrl(q, c);
  Read(q, "rabbit_userid", c.amqp.user, "controller");
  Read(q, "rabbit_password", c.amqp.password, "controller");
  Read(q, "rabbit_virtual_host", c.amqp.vhost, "controller");
  Read(q, "rabbit_exchange", c.amqp.exchange, "controller");
  std::string queue_type = queue::QueueTypeName(c.amqp.queue_type);
  Read(q, "queue_type", queue_type, "controller");
  queue::SetQueueType(c.amqp, queue_type, "controller.queue_type");
  Read(q, "wait_for_confirm", c.wait_for_confirm, "controller");
  Read(q, "allow_local_uris", c.allow_local_uris, "controller");
  Read(q, "log_limit_bytes", c.log_limit_bytes, "controller");
  Read(q, "log_keep_attempts", c.log_keep_attempts, "controller");
  Read(q, "log_keep_days", c.log_keep_days, "controller");
  Read(q, "lease_seconds", c.lease_seconds, "controller");
  Read(q, "max_attempts", c.max_attempts, "controller");
  Read(q, "startup_wait_seconds", c.startup_wait_seconds, "controller");
  if (c.startup_wait_seconds < 0 || c.startup_wait_seconds > 3600)
    throw ConfigError("controller.startup_wait_seconds must be 0 to 3600 seconds");
  if (c.lease_seconds < 1 || c.lease_seconds > 7 * 24 * 3600)
    throw ConfigError("controller.lease_seconds must be 1 to 604800 seconds");
  if (c.max_attempts < 1 || c.max_attempts > 1000)
    throw ConfigError("controller.max_attempts must be 1 to 1000 attempts");
  if (c.log_limit_bytes < 4096)
    throw ConfigError("controller.log_limit_bytes must be 4096 or more bytes");
  if (c.log_keep_attempts < 0)
    throw ConfigError("controller.log_keep_attempts must be 0 (all) or more attempts");
  if (c.log_keep_days < 0)
    throw ConfigError("controller.log_keep_days must be 0 (for ever) or more days");
}

// "webhooks": forges allowed to push, and where mirrors live.
void ReadWebhooksSection(const json& h, Config& c) {
  if (!h.is_object()) throw ConfigError("webhooks must be an object");
  auto secret = [&](const char* forge, const char* key, std::string& out) {
    auto f = h.find(forge);
    if (f == h.end() || f->is_null()) return;
    if (!f->is_object()) throw ConfigError(std::string("webhooks.") + forge + " must be an object");
    Read(*f, key, out, std::string("webhooks.") + forge);
  };
  secret("github", "secret", c.webhooks.github_secret);
  secret("gitlab", "token", c.webhooks.gitlab_token);
  secret("gitea", "secret", c.webhooks.gitea_secret);
  Read(h, "cache_dir", c.webhooks.cache_dir, "webhooks");
  Read(h, "distribution", c.webhooks.distribution, "webhooks");
  Read(h, "format", c.webhooks.format, "webhooks");
  Read(h, "allowed_uri_prefixes", c.webhooks.allowed_uri_prefixes, "webhooks");
  Read(h, "queue_limit", c.webhooks.queue_limit, "webhooks");
  if (c.webhooks.queue_limit <= 0) throw ConfigError("webhooks.queue_limit must be positive");
  Read(h, "max_attempts", c.webhooks.max_attempts, "webhooks");
  if (c.webhooks.max_attempts <= 0) throw ConfigError("webhooks.max_attempts must be positive");
  Read(h, "retry_seconds", c.webhooks.retry_seconds, "webhooks");
  if (c.webhooks.retry_seconds <= 0) throw ConfigError("webhooks.retry_seconds must be positive");
  Read(h, "mirror_keep_days", c.webhooks.mirror_keep_days, "webhooks");
  if (c.webhooks.mirror_keep_days < 0)
    throw ConfigError("webhooks.mirror_keep_days must be 0 (keep) or more days");
}

}  // namespace

Config LoadConfig(const std::string& path, Config c) {
  std::ifstream in(path);
  if (!in) throw ConfigError("cannot read config file " + path);
  json doc = json::parse(in, nullptr, false, true);
  if (doc.is_discarded() || !doc.is_object()) throw ConfigError(path + " is not a JSON object");

  if (auto it = doc.find("web"); it != doc.end()) ReadWebSection(*it, c);
  if (auto it = doc.find("db"); it != doc.end()) ReadDbSection(*it, c);
  if (auto it = doc.find("controller"); it != doc.end()) ReadControllerSection(*it, c);
  if (auto it = doc.find("webhooks"); it != doc.end()) ReadWebhooksSection(*it, c);
  return c;
}

}  // namespace cbit::web
