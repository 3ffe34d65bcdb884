// cbit-watcher: incoming directories → reprepro → job status. main() reads as
// the loop of docs/design.md, "The watcher": config → user → controller API →
// runner → watch, process, check, report — until SIGTERM/SIGINT.
#include <grp.h>
#include <pwd.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <filesystem>
#include <iostream>
#include <optional>

#include "http/controller_probe.h"
#include "journal/install.h"
#include "metricsd/listener.h"
#include "peercheck/await.h"
#include "util/process.h"
#include "watcher/config.h"
#include "watcher/controller_api.h"
#include "watcher/failover_api.h"
#include "watcher/reprepro.h"
#include "watcher/watcher.h"
#include "watcher/watcher_metrics.h"

namespace {

using namespace cbit;

constexpr const char* kDescription =
    R"(cbit-watcher - publishes uploads with reprepro (pyBit's watcher)

Watches each incoming directory of its rules for .changes files (written or
moved in). When a directory has been quiet for sleeptime seconds it runs
  reprepro -b <repobase> processincoming <rule> <name>.changes
for each upload waiting, one at a time (and at start-up for what already
waits): named, so an upload that arrives during a run waits for its own. reprepro
exits 0 even when it skips an upload it already has, so the watcher lists the
repository (reprepro listfilter) before and after the run: an upload is
published when its exact source version and every binary package of its
.changes are there afterwards and were not all there before; or when all
were there before and the pool holds the very files of the .changes (same
SHA-256: a repeated upload; other contents are a conflict). Each upload's
job (GET /job?package=<Source>&version=<Version>&arch=<arch of the .changes
file name>&status=Done, the newest) gets reprepro's output appended to its
build log and is reported Uploaded or Failed; while a job of it is Building,
Waiting or Blocked (its client uploads before it reports Done) the report waits
for it, up to 120 s. No matching job: logged, and the upload is published all
the same (a manual upload). A .changes reprepro
leaves behind (it refused it) is moved with its files into <incoming>/failed/
so it is not processed again. An upload is marked in <incoming>/.running while
reprepro works on it; a mark whose upload left incoming without a verdict (the
watcher was killed, its reprepro went on) is judged from the repository once
reprepro's lock is free. Another reprepro's lock refuses nothing: the upload waits.

CONFIG FILE (JSON; the keys of pyBit's watcher.conf, then cbit's)
  rules                {"<incoming dir>": {"repobase": "<reprepro base dir>",
                                           "rule": "<Name: of a conf/incoming stanza>"}, …}
                       absolute paths; required, at least one
  sleeptime            seconds of quiet after the last .changes before acting (default 3)
  dryrun               log the reprepro commands, run none, report nothing (default false)
  user                 run as this user: switched to when started as root, else
                       the watcher must already run as it
  configured           pyBit's marker: false refuses to start
  controller_url       e.g. "http://buildd.example:8080"; required; or a list of
                       URLs of controllers on one database: each call goes to the
                       one that answered last, and on to the next while none
                       answers or one answers 5xx (a 4xx refusal is final)
  token                an API token for the controller (cbit-web token add NAME
                       --role watcher), sent as Bearer
  controller_user, controller_password
                       HTTP Basic credentials for the controller; required without
                       a token (no defaults)
  http_timeout_seconds deadline of each controller call (default 10)
  reprepro_timeout_seconds
                       deadline of each reprepro command (default 600)
  retry_max_seconds    longest wait between tries of a report the controller
                       could not take (default 300; from 1 s, doubling)
  failed_dir           where refused uploads go, below the incoming dir (default "failed")
  spool_dir            where each report waits, written to disk before it is sent,
                       until the controller has it; sent again at the next start
                       (absolute path; default "<first incoming dir>/reports")
  log_level            trace|debug|info|warn|error (default info)
  metrics_port         serve GET /metrics (Prometheus text format) and GET
                       /health/live on this port (default 0: off); see METRICS
  metrics_address      the address it listens on (default 127.0.0.1)

METRICS
  With metrics_port (or --metrics-port) set, the watcher answers GET /metrics
  and GET /health/live there, on metrics_address (loopback unless set; the
  figures need no credentials): cbit_watcher_uploads_total{result} (published,
  failed), cbit_watcher_reports_waiting (in spool_dir for the controller),
  cbit_watcher_reprepro_runs_total{command,result} and
  cbit_watcher_reprepro_duration_seconds{command} (processincoming, listfilter),
  cbit_watcher_reports_accepted_total{status},
  cbit_watcher_last_report_accepted_timestamp_seconds,
  cbit_watcher_process_start_time_seconds. Only GET; at most 16 connections, 8
  per address; answered from memory (docs/protocol.md).

REPREPRO
  <repobase>/conf/distributions names the codenames; <repobase>/conf/incoming
  has a stanza "Name: <rule>" with IncomingDir: <incoming dir>, TempDir: and
  Allow: (e.g. "Allow: chickpea>bookworm"); the watcher reads Allow:/Default:
  to know which codenames to check (all codenames when they do not say).
  Add "Cleanup: unused_buildinfo_files" so the .buildinfo files reprepro does
  not keep are not left behind in the incoming directory.

LOGGING
  To stdout. Under systemd (JOURNAL_STREAM names its stderr or stdout) each
  line goes to the journal with the fields PRIORITY, SYSLOG_IDENTIFIER and,
  for a report's lines, JOB_ID: journalctl -u cbit-watcher JOB_ID=42

SIGNALS
  SIGTERM, SIGINT: stop after the current reprepro run; reports not yet
  delivered stay in spool_dir for the next start; exit 0.

START-UP
  The controller is asked once, with the watcher's credentials, about a
  status report on job 0 (which no job has; nothing is recorded): a 401 or
  403 (a wrong token or password, a role that may not report) fails the
  start (exit 1). A controller that does not answer is logged and the
  watcher goes on: publishing needs no controller, and verdicts wait in
  spool_dir until it is back.

EXIT STATUS
  0 stopped by a signal; 1 bad configuration or command line, or credentials
  the controller refuses; 2 start-up failed (an incoming directory cannot be
  watched, the user cannot be taken, metrics_port cannot be bound).
)";

// pyBit's "user": the watcher publishes as the repository's owner. Throws
// StartupError.
void BecomeUser(const std::string& user) {
  using process::StartupError;
  if (user.empty()) return;
  const passwd* pw = getpwnam(user.c_str());
  if (!pw) throw StartupError("no user '" + user + "'");
  if (geteuid() == pw->pw_uid) return;
  if (geteuid() != 0)
    throw StartupError("runs as uid " + std::to_string(geteuid()) + ", not as '" + user + "'");
  if (initgroups(pw->pw_name, pw->pw_gid) != 0 || setgid(pw->pw_gid) != 0 ||
      setuid(pw->pw_uid) != 0) {
    throw StartupError("cannot switch to user '" + user + "'");
  }
}

// The controller, tried once before watching, with a status report on job
// 0, which no job has: 401 or 403 when it refuses the credentials or their
// role (a configuration error: exit 1), else 400 or 404 and nothing
// recorded. One that does not answer is only logged: publishing needs no
// controller, and verdicts wait in spool_dir until it is back.
void CheckController(const watcher::WatcherConfig& config) {
  const http::Credentials credentials{config.controller_user, config.controller_password,
                                      config.controller_token};
  const peercheck::Peer controller{
      http::DescribeControllers(config.controller_urls),
      config.controller_token.empty() ? "controller_url, controller_user, controller_password"
                                      : "controller_url, token",
      [&config, credentials] {
        return http::ProbeController(config.controller_urls, credentials, "PUT", "/job/0",
                                     config.http_timeout);
      }};
  if (!peercheck::CheckOnce(controller))
    spdlog::warn("watching without the controller: verdicts wait in {} until it answers",
                 config.spool_dir);
}

// The loop until a stop signal; throws when an incoming directory cannot be
// watched.
void Serve(const watcher::WatcherConfig& config, const process::StopSignals& stop) {
  // The controller's HTTP API: find the job, append its log, report.
  const auto api = watcher::MakeControllerApi(
      config.controller_urls,
      {config.controller_user, config.controller_password, config.controller_token},
      config.http_timeout);

  // How reprepro runs: argv, own process group, output captured, deadline.
  watcher::SubprocessRunner runner;

  // Uploads, reports and reprepro runs counted at those seams; served on
  // metrics_port when it is set.
  watcher::WatcherMetrics metrics;
  watcher::MeteredControllerApi metered_api(*api, metrics);
  watcher::MeteredRunner metered_runner(runner, metrics);
  std::optional<metricsd::Listener> listener;
  if (config.metrics.enabled()) {
    listener.emplace(config.metrics, [&metrics] { return metrics.Render(); });
    spdlog::info("metrics on http://{}:{}/metrics", config.metrics.address, listener->port());
  }

  // inotify → debounce → processincoming → check → report.
  watcher::Watcher w(config, metered_runner, metered_api, metrics.Hook({}));
  w.Run(stop.flag());
}

}  // namespace

// Only the command line's definition could throw here (CLI11, on a
// programming error); everything after parsing runs inside process::Run.
int main(int argc, char** argv) {  // NOLINT(bugprone-exception-escape)
  CLI::App app{kDescription, "cbit-watcher"};
  app.get_formatter()->column_width(30);
  std::string config_path;
  app.add_option("-c,--config", config_path, "JSON config file (keys above)")->required();
  process::CliOverrides<watcher::WatcherConfig> overrides(app);
  overrides.AddFlag("--dry-run", &watcher::WatcherConfig::dryrun,
                    "log the commands, run none (as dryrun: true)");
  overrides.Add("--log-level", &watcher::WatcherConfig::log_level,
                "trace|debug|info|warn|error (overrides log_level)");
  overrides.AddParsed(
      "--metrics-port",
      [](watcher::WatcherConfig& c, const std::string& v) {
        c.metrics.port = metricsd::ParsePort(v);
      },
      "serve /metrics and /health/live on this port (overrides metrics_port; 0: off)");
  if (auto rc = process::ParseCommandLine(app, argc, argv)) return *rc;
  journal::UseJournalIfConnected("cbit-watcher");

  return process::Run("cbit-watcher", [&] {
    // 1. Configuration: every key checked before anything starts.
    const watcher::WatcherConfig config = overrides.Over(watcher::LoadConfig(config_path));
    spdlog::set_level(spdlog::level::from_str(config.log_level));
    // 2. The user the repository belongs to.
    BecomeUser(config.user);
    CheckController(config);
    // 3. Watch, process, check, report until SIGTERM/SIGINT.
    process::StopSignals stop;
    Serve(config, stop);
    spdlog::info("stopped");
  });
}
