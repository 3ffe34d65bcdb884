// cbit-web: the controller. Start-up reads as the design (docs/design.md):
// store → broker → outbox relay → job logic → HTTP API, then serve until
// SIGINT/SIGTERM and stop in reverse order.
#include <malloc.h>
#include <spdlog/spdlog.h>
#include <sys/resource.h>

#include <CLI/CLI.hpp>
#include <iostream>
#include <stop_token>

#include "controller/controller.h"
#include "controller/lease_expiry.h"
#include "controller/outbox.h"
#include "controller/store_job_store.h"
#include "events/store_events.h"
#include "journal/install.h"
#include "peercheck/await.h"
#include "queue/broker_probe.h"
#include "queue/publisher.h"
#include "queue/signing.h"
#include "store/postgres/postgres_probe.h"
#include "store/signing_keys.h"
#include "store/store.h"
#include "store/upkeep.h"
#include "util/notify.h"
#include "util/process.h"
#include "web/auth.h"
#include "web/config.h"
#include "web/farm_metrics.h"
#include "web/server.h"
#include "web/token_cli.h"
#include "web/token_lookup.h"
#include "web/webhook_worker.h"

namespace {

using namespace cbit;

constexpr const char* kDescription = R"(cbit-web - the cbit controller (pyBit's web controller)

Serves the REST API of pyBit 1.0 on HTTP, records jobs in SQLite (default) or
PostgreSQL, and publishes build requests to RabbitMQ with publisher confirms.
A submission is answered once its job is committed and its request sent; the
request stays in the database (the outbox) until the broker confirms it, and
is published again if no confirm comes: when the broker is back after an
outage, or at the next start after a crash. With controller.wait_for_confirm
the answer waits for the confirm too.

CONFIG FILE (JSON; pyBit's web.conf sections are accepted)
  {"web": {"interface": "0.0.0.0", "port": 8080, "hostname": "buildd.example:8080",
           "threads": 64, "io_threads": 2, "head_timeout": 10, "body_timeout": 60,
           "idle_timeout": 5, "max_body": 16777216, "max_body_memory": 67108864,
           "max_connections": 10000,
           "max_connections_per_address": 512, "stream_backlog": 4194304,
           "events_kept": 4096, "events_poll_ms": 1000, "events_keepalive": 20,
           "auth_reads": false, "metrics_cache_ms": 5000, "repository": "/srv/repo",
           "users": {"admin": "<hash from cbit-web hash-password>"}},
           (users with roles: AUTHENTICATION AND ROLES)
   "db": {"backend": "sqlite", "path": "var/cbit.db", "job_cache": 65536}
      or {"hostname": "db", "port": 5432, "databasename": "cbit", "user": "cbit",
          "password": "…"}  (pyBit's keys: PostgreSQL)
      or {"backend": "postgres", "conninfo": "host=… dbname=…"},
   "controller": {"rabbit_url": "localhost:5672", "rabbit_userid": "guest",
                  "rabbit_password": "guest", "rabbit_virtual_host": "/",
                  "rabbit_exchange": "pybit", "wait_for_confirm": false,
                  "allow_local_uris": false,
                  "log_limit_bytes": 33554432, "log_keep_attempts": 0,
                  "log_keep_days": 0, "lease_seconds": 300, "max_attempts": 3,
                  "queue_type": "classic", "startup_wait_seconds": 60},
      rabbit_url may list the nodes of a cluster, ["mq1:5672", "mq2", "mq3"],
      tried in order when one cannot be reached (see RABBITMQ CLUSTERS),
   "webhooks": {"github": {"secret": "…"}, "gitea": {"secret": "…"},
                "gitlab": {"token": "…"},
                "cache_dir": "var/webhook-mirrors", "distribution": "Debian",
                "format": "deb", "allowed_uri_prefixes": ["https://git.example/"],
                "queue_limit": 1000, "max_attempts": 8, "retry_seconds": 30,
                "mirror_keep_days": 30}}
  Command-line options override the file.

RABBITMQ CLUSTERS
  With controller.rabbit_url a list, every connection to the broker tries
  the nodes in order (an entry without a port has rabbit_port, default
  5672) and uses the first that answers; when its node dies, the outbox
  publishes what was not confirmed again through the next one.
  controller.queue_type "quorum" declares every queue with x-queue-type
  quorum (replicated, RabbitMQ 3.10+); "classic" (the default) keeps one
  node's queues. The clients must say the same (cbit-client queue_type): a
  queue that exists with the other type is refused by the broker, and the
  error names the queue and this setting. --amqp takes the list too,
  separated by commas.

HTTP LIMITS
  io_threads threads hold every connection; route handlers run on `threads`
  workers, so slow or idle connections hold no worker. (With io_threads 2 or
  more, an I/O thread runs the handler of the request it read itself while
  another I/O thread stays free.) A request head must
  arrive within head_timeout seconds of its first byte (32 KiB at most,
  else 431), its body within body_timeout (max_body bytes at most, chunked
  or not, else 413; bodies being read at once share max_body_memory bytes,
  and one that does not fit gets 503 with Retry-After); a keep-alive
  connection idle for idle_timeout seconds is closed. Credentials are checked from the head, before any body byte is
  read (401 with Connection: close). A body with a Content-Encoding other
  than identity is refused with 415, a Transfer-Encoding other than
  chunked with 501. Connections over max_connections, or
  over max_connections_per_address from one client address, get 503 and
  are closed. A method the server does not implement gets 501; a known
  method on a path that does not serve it gets 405 with Allow. cbit-web
  raises its soft limit of open files to the hard one at start (each
  connection takes one) and warns when that is below max_connections.

LIVE EVENTS
  GET /events is a Server-Sent Events stream of job changes (created,
  status) and build clients' state (client), filtered by ?job=, ?package=,
  ?client=; a stream resumes from Last-Event-ID (or ?since=) when that
  event is among the last web.events_kept, else it gets a `reset` event.
  One thread serves every stream: it reads the database when a change
  commits here or (PostgreSQL) another controller announces one, and at
  least every events_poll_ms while a stream is open. Idle streams get a
  keep-alive comment every events_keepalive seconds; a client that leaves
  more than web.stream_backlog bytes unread is disconnected.

APT REPOSITORY
  When web.repository (or --repository) names a directory, its files are
  served read-only under /debian/, so an apt line can point at the farm:
    deb [trusted=yes] http://HOST:PORT/debian SUITE main
  Those files are public even when web.auth_reads is true. Only regular
  files whose real path (symlinks resolved) lies inside the repository are
  served; one byte range is answered 206, several get the whole file (200).

METRICS AND HEALTH
  GET /metrics: Prometheus text format 0.0.4 (HTTP answers by route
  pattern, submissions, dispatch latency, build durations, jobs by status
  and target, queue depths, outbox backlog, clients last heard from,
  database pool waits); a read, so it needs credentials when
  web.auth_reads is true. Figures read from the database and the broker
  are reused for web.metrics_cache_ms. GET /health/live (the process
  answers) and GET /health/ready (database and broker reachable, else 503
  naming what is not) need no credentials.

FORGE WEBHOOKS
  POST /webhook/github, /webhook/gitea (HMAC-SHA256 of the body under the
  secret: X-Hub-Signature-256 / X-Gitea-Signature) and /webhook/gitlab
  (X-Gitlab-Token). A forge without its secret answers 401. A branch push is
  answered 202 and queued; a worker mirrors the repository (git clone
  --mirror into webhooks.cache_dir, then git fetch), submits every package
  at the repository root whose debian/changelog changed in before..after
  (method git, uri = the payload's clone URL, vcs_id = after) with the
  configured distribution and format. A push is stored in the database
  before the 202, so one not yet handled when cbit-web stops or dies is
  handled after its next start. At most queue_limit pushes wait; beyond
  that 503 with Retry-After. A push whose mirror cannot be updated is tried
  again after retry_seconds, doubling (at most 1 h), and given up after
  max_attempts tries. A mirror no push used for mirror_keep_days days is
  deleted (0: kept). allowed_uri_prefixes, when set, refuses other clone
  URLs with 403.

JOB CACHE
  GET /job/<id> is answered from memory once a job has been read (up to
  db.job_cache jobs, ~0.5 kB each; 0 turns it off). A job leaves the cache
  when a change to it commits. On PostgreSQL every controller of the
  database also hears of other controllers' changes (LISTEN/NOTIFY on
  channel cbit_job) and caches nothing while it cannot. A SQLite database
  belongs to one controller.

BUILD LOGS
  Each build attempt's log is kept up to controller.log_limit_bytes (default
  32 MiB, at least 4096); past it the log ends with a line saying where and
  why it was cut, and later text is accepted and dropped. An attempt's log
  takes no more text once a later attempt began or the job is Uploaded,
  Failed or Cancelled (409). controller.log_keep_attempts N keeps the logs of
  each job's last N attempts only (0: all); controller.log_keep_days D
  deletes, every 10 minutes, the logs of attempts begun more than D days ago
  whose job is not Building (0: kept for ever).

JOB LIFE CYCLE
  Status reports (PUT /job/<id>) must follow the life cycle: Waiting or
  Blocked -> Building -> Done | Failed | Blocked | Cancelled | Waiting, and
  Done -> Uploaded | Failed; Uploaded, Failed and Cancelled are final. A
  report naming a client other than the job's holder is refused (409 naming
  the holder); a repeat of the current status is accepted.

LEASES
  A client holding a Building job is heard from through its reports, log
  appends and lease renewals (PUT /job/<id>/lease, every ~10 s). A job
  whose holder is silent for controller.lease_seconds (default 300) goes
  back to Waiting as a new attempt and its build request is published
  again; after controller.max_attempts such attempts (default 3) it is
  Failed. The reason is in the job's history. The silent client, if it
  comes back, hears 409 and stops that build. GET /buildd/<name>/status is
  Active while the client was heard from within lease_seconds (idle
  clients send PUT /buildd/<name>/heartbeat).

AUTHENTICATION AND ROLES
  Every request that changes state needs credentials: HTTP Basic (a user of
  web.users) or an API token (Authorization: Bearer cbit_…). Each user and
  token has a role:
    admin      everything
    builder    bound to one client name (and optionally to queues): claims
               Waiting/Blocked jobs (of its queues) as Building under its own
               name, reports status and appends logs on the jobs it holds
    watcher    sets Done jobs to Uploaded or Failed (and logs on Done jobs)
    submitter  submits only: POST/PUT /job/vcshook and /job
    reader     reads, when web.auth_reads is true
  Reads are open unless web.auth_reads is true. Forge webhooks are signed
  instead (FORGE WEBHOOKS). No user or token exists by default. Answers:
  401 without valid credentials, 403 for a role without the right, 429 with
  Retry-After after 10 failed sign-ins in a row from one address or for one
  user (one more every 6 s).

  web.users maps a name to an argon2id hash from `cbit-web hash-password`
  (an admin, as pyBit's tools expect) or to an object:
    "users": {"admin": "$argon2id$…",
              "builder1": {"hash": "$argon2id$…", "role": "builder",
                           "client": "build_client_1",
                           "queues": ["Debian_amd64_bookworm_deb"]},
              "hook": {"hash": "$argon2id$…", "role": "submitter"}}

API TOKENS
  cbit-web [-c CONFIG] token add NAME --role ROLE [--client C] [--queue Q]…
      makes a token (32 random bytes) and prints it once on stdout; only
      its BLAKE2b digest is stored, in the configured database
  cbit-web [-c CONFIG] token list
      every token: id, name, role, client, queues, created, last use, revoked
  cbit-web [-c CONFIG] token revoke NAME|ID
      refused from the next request on, by every controller of the database
  Run them on the controller's host; they open the database of the config
  file (or --db) and bring its schema up to date first.

LOGGING
  To stdout. Under systemd (JOURNAL_STREAM names its stderr or stdout) each
  line goes to the journal with the fields PRIORITY, SYSLOG_IDENTIFIER and,
  for a request's lines, ROUTE (the route's pattern), JOB_ID (/job/<id>
  routes) and CLIENT (a builder token's client name).

SIGNALS
  SIGINT, SIGTERM: stop accepting requests, finish those in flight, exit 0.
  Under systemd (Type=notify) it says READY=1 once listening.

START-UP
  PostgreSQL is tried before anything starts, and waited for up to
  controller.startup_wait_seconds (default 60; 0: tried once); still
  unreachable then, the start fails (exit 2) naming it. A server that
  refuses (password, role, database, pg_hba.conf) fails it at once (exit 1).
  RabbitMQ is tried once: a login it refuses (credentials, virtual host)
  fails the start (exit 1); one that does not answer is logged and cbit-web
  serves: submissions wait in the outbox until the broker is back.

EXIT STATUS
  0 stopped cleanly; 1 bad configuration or command line, or a peer that
  refuses the configured credentials; 2 start-up failed (database
  unreachable, port).
)";

std::unique_ptr<store::Database> OpenDatabase(const web::Config& cfg) {
  if (cfg.db_backend == "postgres") {
    return store::OpenPostgres({.conninfo = cfg.pg_conninfo, .pool_size = cfg.db_pool});
  }
  return store::OpenSqlite({.path = cfg.sqlite_path, .pool_size = cfg.db_pool});
}

// Large answers (GET /job of thousands of jobs) would otherwise be mmap'ed
// fresh and unmapped after each request, and first touching those pages
// costs more than the query itself. The price: the process keeps its peak
// heap.
void KeepFreedMemory() {
  mallopt(M_MMAP_THRESHOLD, 256 << 20);
  mallopt(M_TRIM_THRESHOLD, 512 << 20);
}

// Every connection takes a file descriptor: web.max_connections (10,000 by
// default) needs more than the usual soft limit of 1,024, past which accept
// fails and every new connection waits, the legitimate ones too.
void RaiseOpenFileLimit(int max_connections) {
  rlimit rl{};
  if (getrlimit(RLIMIT_NOFILE, &rl) != 0) return;
  if (rl.rlim_cur < rl.rlim_max) {
    rl.rlim_cur = rl.rlim_max;
    if (setrlimit(RLIMIT_NOFILE, &rl) != 0) getrlimit(RLIMIT_NOFILE, &rl);
  }
  // Room for the database, the broker, logs and the repository's files.
  const rlim_t wanted = static_cast<rlim_t>(max_connections) + 256;
  if (rl.rlim_cur < wanted)
    spdlog::warn("open files are limited to {}: web.max_connections {} needs more", rl.rlim_cur,
                 max_connections);
}

// cbit-web hash-password: a password on stdin, its argon2id hash on stdout.
int HashPasswordFromStdin() {
  std::string pw;
  std::getline(std::cin, pw);
  if (pw.empty()) {
    std::cerr << "cbit-web hash-password: empty password on stdin\n";
    return static_cast<int>(process::ExitCode::kBadConfig);
  }
  std::cout << web::HashPassword(pw) << "\n";
  return static_cast<int>(process::ExitCode::kOk);
}

// The options that override the config file's keys.
void AddOverrides(CLI::App& app, process::CliOverrides<web::Config>& o) {
  using web::Config;
  o.Add("-p,--port", &Config::port, "HTTP port (default 8080; 0: any free)");
  o.Add("--interface", &Config::interface, "address to listen on");
  o.Add("--hostname", &Config::hostname, "host:port written into messages as web_host");
  o.AddParsed("--db", web::SetDatabase, "sqlite:PATH or postgres:CONNINFO");
  o.AddParsed("--amqp", web::SetAmqpAddress,
              "RabbitMQ host[:port], or a cluster's nodes separated by commas (default "
              "localhost:5672)");
  o.Add("--threads", &Config::threads, "HTTP worker threads for route handlers (default 64)");
  o.Add("--job-cache", &Config::job_cache, "jobs cached for GET /job/<id> (default 65536; 0: none)")
      ->check(CLI::Range(0, 1 << 30));
  o.Add("--log-level", &Config::log_level, "trace|debug|info|warn|error");
  o.Add("--repository", &Config::repository,
        "directory served read-only under /debian/ (an apt repository)");
}

void WarnAboutLimitsAndUsers(const web::Config& cfg) {
  RaiseOpenFileLimit(cfg.max_connections);
  if (cfg.users.empty())
    spdlog::warn("no users configured: only API tokens (cbit-web token add) can change state");
}

// Serves until SIGINT/SIGTERM; systemd (Type=notify) hears when the
// controller is ready and when it stops.
void ServeUntilStopped(web::HttpServer& http, const process::StopSignals& stop) {
  notify::Ready();
  std::stop_callback stop_http(stop.token(), [&http] {
    notify::Stopping();
    http.Stop();
  });
  http.Serve();
}

// The peers the config names, before anything starts. Nothing works
// without the database: it is waited for (controller.startup_wait_seconds,
// as when both start at boot), then the start fails naming it. The broker
// is only tried: while it is down submissions wait in the outbox, so a
// controller (re)started during its outage must serve; but a login it
// refuses will never pass and is a configuration error. False: stopped
// while waiting.
bool CheckPeers(const web::Config& cfg, const process::StopSignals& stop) {
  if (cfg.db_backend == "postgres") {
    const peercheck::Peer db{
        store::DescribePostgres(cfg.pg_conninfo), "db",
        [&cfg] { return store::ProbePostgres(cfg.pg_conninfo, std::chrono::seconds(5)); }};
    if (!peercheck::Await(db, {.wait = std::chrono::seconds(cfg.startup_wait_seconds),
                               .wait_setting = "controller.startup_wait_seconds",
                               .stop = &stop.flag()}))
      return false;
  }
  const peercheck::Peer broker{
      queue::DescribeBroker(cfg.amqp),
      "controller.rabbit_url, rabbit_userid, rabbit_password, rabbit_virtual_host",
      [&cfg] { return queue::ProbeBroker(cfg.amqp); }};
  if (!peercheck::CheckOnce(broker))
    spdlog::warn("serving without the broker: submissions wait in the outbox until it answers");
  return true;
}

// Jobs read by id are cached, and dropped on any controller's change.
store::StoreOptions StoreOptionsOf(const web::Config& cfg) {
  return {.job_cache = static_cast<std::size_t>(cfg.job_cache),
          .logs = {.bytes_per_attempt = cfg.log_limit_bytes,
                   .keep_attempts = cfg.log_keep_attempts,
                   .keep_days = cfg.log_keep_days}};
}

// Start-up in the order of the design, serving until a stop signal, then
// stopping in reverse order.
void Serve(const web::Config& cfg, const process::StopSignals& stop) {
  WarnAboutLimitsAndUsers(cfg);
  if (!CheckPeers(cfg, stop)) return;

  // 1. Store: the database, its schema brought up to date (StoreOptionsOf).
  store::Store store(OpenDatabase(cfg), StoreOptionsOf(cfg));
  store.Migrate();
  spdlog::info("store: {} schema version {}", cfg.db_backend, store.SchemaVersion());
  // Table upkeep, a cheap check every 2 s: the planner's statistics kept
  // current as the job tables grow (an empty table's make slow plans), and
  // the outbox vacuumed.
  store::Upkeep upkeep(store, std::chrono::seconds(2));

  // 2. Broker: every message goes through one pipelined confirmed
  //    channel (publish_pipeline.h); connects on first use. Each is signed
  //    with the database's key, so clients can tell it from a forgery.
  auto amqp = queue::MakeAmqpPublisher(cfg.amqp, 1);
  queue::SigningPublisher signed_publisher(
      *amqp, store::SigningKeys(store.db()).Current(queue::NewSigningKey));
  queue::Publisher* publisher = &signed_publisher;

  // 3. Outbox relay: re-publishes what an earlier run recorded but the
  //    broker never confirmed, then whatever a broker outage leaves behind.
  controller::StoreJobStore jobs(store);
  controller::Outbox outbox(jobs, *publisher);
  outbox.Start();

  // 4. Job logic.
  controller::Controller controller(
      jobs, outbox,
      {.web_host = cfg.WebHost(),
       .wait_for_confirm = cfg.wait_for_confirm,
       .allow_local_uris = cfg.allow_local_uris,
       .lease = {.lease_us = std::int64_t{cfg.lease_seconds} * 1000000,
                 .max_attempts = cfg.max_attempts}});
  // Building jobs whose holder went silent go back to the queue.
  auto leases = std::make_unique<controller::LeaseExpiry>(
      controller, controller::LeaseExpiry::IntervalFor(controller.lease_policy()));

  // 5. Forge webhooks: pushes are stored, then mirrored and submitted off
  //    the HTTP threads; those an earlier run left are taken up first.
  std::unique_ptr<web::WebhookWorker> webhooks;
  if (cfg.webhooks.enabled())
    webhooks = std::make_unique<web::WebhookWorker>(controller, store.db(), cfg.webhooks);

  // 6. HTTP API.
  web::Authenticator auth(cfg.users, web::StoreTokenLookup(store.db()));
  // Live events: one thread for every open stream.
  events::StoreEvents events(store, web::EventOptions(cfg));
  web::FarmMetrics metrics(store, *publisher, web::MetricsOptionsOf(cfg));
  web::Api api{store, controller, *publisher, webhooks.get(), &events.hub(), &metrics};
  web::HttpServer http(cfg, api, auth);
  int bound = http.Bind();
  spdlog::info("listening on http://{}:{}/ (web_host {})", cfg.interface, bound, cfg.WebHost());

  // 7. Serve until SIGINT/SIGTERM, then stop in reverse order.
  ServeUntilStopped(http, stop);
  if (webhooks) webhooks->Stop();
  leases.reset();  // it publishes through the outbox
  outbox.Stop();
}

}  // namespace

// cbit-web token add|list|revoke, on the configured database.
struct TokenCommands {
  CLI::App* add = nullptr;
  CLI::App* list = nullptr;
  CLI::App* revoke = nullptr;
  web::TokenRequest request;
  std::string revoke_name;

  void Define(CLI::App& app) {
    auto* token = app.add_subcommand("token", "API tokens: add, list, revoke (API TOKENS)");
    token->require_subcommand(1);
    add = token->add_subcommand("add", "make a token and print it (once)");
    add->add_option("name", request.name, "the token's name")->required();
    add->add_option("--role", request.role, "admin|builder|watcher|submitter|reader")->required();
    add->add_option("--client", request.client, "builder: the client name it reports as");
    add->add_option("--queue", request.queues, "builder: a queue it may claim from (repeatable)");
    list = token->add_subcommand("list", "list tokens (never their secrets)");
    revoke = token->add_subcommand("revoke", "revoke a token by name or id");
    revoke->add_option("name", revoke_name, "NAME or ID")->required();
  }
  bool chosen() const { return *add || *list || *revoke; }

  int Run(const web::Config& cfg) {
    store::Store store(OpenDatabase(cfg), {.job_cache = 0});
    store.Migrate();
    if (*add) return web::AddToken(store.db(), request, std::cout, std::cerr);
    if (*list) return web::ListTokens(store.db(), std::cout);
    return web::RevokeToken(store.db(), revoke_name, std::cout, std::cerr);
  }
};

// Only the command line's definition could throw here (CLI11, on a
// programming error); everything after parsing runs inside process::Run.
int main(int argc, char** argv) {  // NOLINT(bugprone-exception-escape)
  KeepFreedMemory();
  CLI::App app{kDescription, "cbit-web"};
  app.get_formatter()->column_width(34);
  std::string config_path;
  app.add_option("-c,--config", config_path, "JSON config file (pyBit web.conf accepted)");
  process::CliOverrides<web::Config> overrides(app);
  AddOverrides(app, overrides);
  auto* hash = app.add_subcommand(
      "hash-password", "read a password on stdin, print its argon2id hash for web.users");
  TokenCommands tokens;
  tokens.Define(app);
  if (auto rc = process::ParseCommandLine(app, argc, argv)) return *rc;
  journal::UseJournalIfConnected("cbit-web");
  if (*hash) return HashPasswordFromStdin();

  auto config = [&] {
    // The config file (embedded defaults without one), the command line over it.
    return overrides.Over(config_path.empty() ? web::Config{} : web::LoadConfig(config_path));
  };
  if (tokens.chosen()) {
    int rc = 0;
    int run = process::Run("cbit-web token", [&] { rc = tokens.Run(config()); });
    return run != 0 ? run : rc;
  }
  return process::Run("cbit-web", [&] {
    const web::Config cfg = config();
    spdlog::set_level(spdlog::level::from_str(cfg.log_level));
    process::StopSignals stop;
    Serve(cfg, stop);
    spdlog::info("stopped");
  });
}
