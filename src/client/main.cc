// cbit-client: the build daemon. main() reads as the job loop of
// docs/design.md: config → controller API → runner → consume, decide, build,
// report, settle — until SIGTERM/SIGINT.
#include <spdlog/spdlog.h>

#include <CLI/CLI.hpp>
#include <filesystem>
#include <iostream>
#include <optional>

#include "client/chroot_cli.h"
#include "client/config.h"
#include "client/controller_api.h"
#include "client/daemon.h"
#include "client/metered_api.h"
#include "client/roots.h"
#include "client/runner.h"
#include "http/controller_probe.h"
#include "journal/fields.h"
#include "journal/install.h"
#include "metricsd/listener.h"
#include "peercheck/await.h"
#include "queue/broker_probe.h"
#include "queue/consumer.h"
#include "queue/publisher.h"
#include "util/notify.h"
#include "util/process.h"

namespace {

using namespace cbit;

constexpr const char* kDescription = R"(cbit-client - a cbit build client (pyBit's buildd)

Consumes the build queues {distribution}_{arch}_{suite}_{pkg_format} of its
suites (routing keys {distribution}.{arch}.{suite}.{pkg_format}), for host_arch
and each of cross_arches, and its command queue named after clientid, `jobs`
builds at once. Per request it asks the controller for the job's status
(Waiting or Blocked: build; anything else: drop), reports Building, checks the
source out (git, svn or apt), builds it (isolated, dpkg-buildpackage on the
host, or sbuild), uploads it with dput, cleans up and reports Done, Failed,
Blocked or Cancelled. The log of every step streams to the controller: GET
/job/<id>/log. A Blocked job is published again through a delay queue (base,
2·base, … up to retry_max_seconds).

Each step has a time limit; on expiry its whole process group is killed and
the job fails with the class "timeout". A failure of the build machine of
class network (fetch), chroot-missing, chroot-failed (sbuild could not set up
the chroot's session in 3 tries), toolchain-missing, disk-full or upload (dput) is
reported Waiting and published again through the delay queues, at most
infra_retries times; then the job fails with its class. A build failure
is never retried. Failed reports carry the class and why as the history's
"reason". Work directories (buildroot/job-<id>) no process holds are removed
at start and after each job.

CONFIG FILE (JSON; the keys of pyBit's client.conf, then cbit's)
  clientid             command queue name and the client reported (e.g. build_client_amd64); required
  host_arch            architecture built (dpkg --print-architecture); required
  cross_arches         architectures cross-built on host_arch (default none), e.g.
                       ["arm64"]: their queues are consumed too; see CROSS BUILDS
  distribution         e.g. "Debian"; required
  pkg_format           default "deb"
  suites               ["bookworm", …]; at least one
  buildroot            work directories, one per job (default /var/lib/cbit-client)
  jobs                 builds run at once, each in its own work directory (and,
                       isolated, its own sandbox), each with its own lease, log,
                       time limits and cancel; the client takes that many requests
                       from its queues (AMQP prefetch); default 1, at most 64
  host, port, vhost    RabbitMQ (default localhost, 5672, "/"); exchange: default "pybit";
                       host may list the nodes of a cluster, ["mq1", "mq2:5673", …]
                       (port: of those naming none), tried in order when one
                       cannot be reached; a new connection declares and consumes
                       the queues again
  queue_type           "classic" (default) or "quorum": the type of every queue
                       declared (x-queue-type), the same as the controller's
                       controller.queue_type; a queue that exists with the other
                       type is refused, naming the queue and this key
  userid, password     RabbitMQ credentials; required (no defaults)
  dry_run              log every command, run none (default false)
  use_lvm              accepted for pyBit configs; schroot's own configuration decides
  dput                 accepted for pyBit configs; cbit runs dput -f -c <dput_config>
  dput_dest            dput target for jobs without a build environment; required
  poll_time            accepted for pyBit configs; requests are pushed, never polled
  debsignkey           sign the .changes with debsign -k KEY before dput
  controller_url       e.g. "http://buildd.example:8080"; required; or a list of
                       controllers on one database, ["http://a:8080", "http://b:8080"]:
                       a call that cannot connect goes to the next one
  token                an API token for the controller (cbit-web token add NAME
                       --role builder --client CLIENTID), sent as Bearer
  controller_user, controller_password
                       HTTP Basic credentials for the controller; required without
                       a token (no defaults)
  dput_config          the dput.cf passed with -c (default /etc/dput.cf)
  require_signed_messages
                       act only on messages the controller signed (header
                       x-cbit-signature, keys from GET /signing-keys); a message
                       that is not goes to cbit_dead_letter (default true; false
                       for a pyBit controller, which signs nothing)
  builder              "sbuild" (default), "isolated" (see ISOLATED BUILDS) or "host"
                       (dpkg-buildpackage in the tree, as the client's user)
  roots_dir            isolated: the prepared roots (default /var/lib/cbit-client/roots)
  apt_cache_dir        isolated: apt archives shared by builds (default roots_dir/apt-cache)
  build_network        isolated: the build itself may reach the network (default false;
                       build-dependencies are always fetched with it)
  sbuild_mode          "schroot" (default; chroot {build_env}-{suite} or {suite}) or
                       "unshare" (tarballs {chroot}-{arch}.tar in chroot_dir)
  chroot_dir           where unshare mode finds its tarballs (scripts/make-chroot.sh)
  apt_sources_list     deb-src lines for method apt and for orig tarballs
  retry_base_seconds   first delay before a Blocked job is tried again (default 30)
  retry_max_seconds    the longest delay (default 3600)
  cancel_grace_seconds SIGINT to the build, SIGKILL this much later (default 30)
  http_timeout_seconds deadline of each controller call (default 10)
  startup_wait_seconds at start, how long RabbitMQ and the controller are waited for
                       (default 60; 0: tried once); see START-UP
  lease_renew_seconds  renew the lease on the job being built this often (default
                       10); on a 409 (the controller gave the job to another
                       attempt) the build is interrupted and nothing more reported
  heartbeat_seconds    tell the controller the client is alive this often, busy
                       or idle (default 30); both well under its lease_seconds
  fetch_timeout_seconds
                       time limit of the checkout step, all its commands (default
                       3600; 0: none)
  build_timeout_hours  time limit of the build step (default 24; fractions allowed;
                       0: none); or build_timeout_seconds, not both
  upload_timeout_seconds
                       time limit of the upload step, debsign and dput (default 1800)
  suite_limits         per suite: {"sid": {"build_timeout_hours": 48}}; any of the
                       four keys above, each unset one the client's own
  infra_retries        retries of a failure of class network, chroot-missing,
                       chroot-failed, toolchain-missing, disk-full or upload
                       before the job fails (default 3; 0: none); delays as
                       for Blocked jobs
  configured           false: refuse to start (pyBit's unedited client.conf; exit 1)
  log_level            trace|debug|info|warn|error (default info)
  metrics_port         serve GET /metrics (Prometheus text format) and GET
                       /health/live on this port (default 0: off); see METRICS
  metrics_address      the address it listens on (default 127.0.0.1)

METRICS
  With metrics_port (or --metrics-port) set, the client answers GET /metrics
  and GET /health/live there, on metrics_address (loopback unless set; the
  figures need no credentials): cbit_client_builds_started_total,
  cbit_client_builds_finished_total{result,failure_class} (result: built,
  build-failed, dependency-wait, infrastructure-failed, cancelled, lease-lost),
  cbit_client_build_duration_seconds{result} (delivery to final report),
  cbit_client_builds_running, cbit_client_build_slots (jobs),
  cbit_client_broker_connected (1 or 0),
  cbit_client_last_heartbeat_timestamp_seconds,
  cbit_client_last_lease_renewal_timestamp_seconds,
  cbit_client_log_bytes_streamed_total, cbit_client_process_start_time_seconds.
  Only GET; at most 16 connections, 8 per address; answered from memory, never
  waiting on a build (docs/protocol.md).

ISOLATED BUILDS
  Each build runs in cbit-sandbox (installed beside cbit-client): a throw-away
  overlay (on a tmpfs) of the prepared root roots_dir/{chroot}-{arch}/current,
  where {chroot} is {build_env}-{suite} or {suite}, in user, mount, PID, IPC
  and UTS namespaces, without root on the host (the client's user mapped to
  uid 0 and its /etc/subuid and /etc/subgid range after it). It sees the
  job's work directory as /build and the shared apt archives, nothing else of
  the host: not the client's config, credentials or other builds. Missing
  build-dependencies are installed with apt-get build-dep; then
  dpkg-buildpackage runs in a network namespace of its own (loopback only)
  unless build_network. When it ends, every process it left is killed and its
  mounts are gone. A job whose root is missing fails with the class
  chroot-missing (retried as such). Roots are managed with:

  cbit-client chroot create SUITE [--arch A] [--name CHROOT] [--mirror URI]
                                  [--from-tarball T] [--cross ARCH]...
                                   mmdebstrap --variant=buildd; --cross: also
                                   dpkg --add-architecture ARCH and install
                                   crossbuild-essential-ARCH libc6-dev:ARCH
                                   (on an existing root: in a new generation)
  cbit-client chroot update NAME   copy, apt-get update and dist-upgrade, switch
                                   (the cross toolchains are kept)
  cbit-client chroot list          the roots held, with the archs they cross to
  cbit-client chroot remove NAME
  (each takes --roots-dir DIR or -c CONFIG). An update never disturbs a running
  build: it makes a new generation and switches to it with a rename; the old
  one is removed once no build holds it (also at the client's start).

CROSS BUILDS
  A job of one of cross_arches is built on this machine for that architecture
  (arch "all" is never a cross build); a job of an architecture that is
  neither host_arch nor one of cross_arches fails (class infrastructure).
  host: dpkg-checkbuilddeps -aARCH -d "crossbuild-essential-ARCH:native,
  libc6-dev:ARCH" first, then dpkg-buildpackage -aARCH -Pcross,nocheck; for
  that, install crossbuild-essential-ARCH and, after dpkg --add-architecture
  ARCH, libc6-dev:ARCH and the build-dependencies of the packages for ARCH.
  sbuild: --build=host_arch --host=ARCH --profiles=cross,nocheck in the chroot
  of host_arch (unshare: {chroot}-{host_arch}.tar), which sbuild equips.
  isolated: in the root of host_arch, {chroot}-{host_arch}, made with
  `cbit-client chroot create SUITE --cross ARCH`: dpkg-checkbuilddeps
  -aARCH -Pcross,nocheck, else apt-get build-dep -a ARCH -P cross,nocheck,
  then dpkg-buildpackage -aARCH -Pcross,nocheck. A root without ARCH or its
  crossbuild-essential-ARCH and libc6-dev:ARCH fails the job before it
  builds. A missing toolchain fails the job with the class toolchain-missing
  (retried as such: another client of the queue may have it). The builder of
  the attempt's provenance then reads e.g. "host (dpkg-buildpackage), cross
  amd64 to arm64".

LOGGING
  To stdout. Under systemd (JOURNAL_STREAM names its stderr or stdout) each
  line goes to the journal with the fields PRIORITY, SYSLOG_IDENTIFIER,
  CLIENT (clientid) and, for a job's lines, JOB_ID:
  journalctl -u cbit-client@NAME JOB_ID=42

SIGNALS
  SIGTERM, SIGINT: stop taking work; every running build is interrupted (SIGINT
  to its process group), each job is reported Waiting and its request handed
  back to the broker for another client; then exit 0.

START-UP
  Before taking work the client logs in to RabbitMQ and sends the controller
  its heartbeat (PUT /buildd/<clientid>/heartbeat) with its credentials. A
  peer that does not answer is waited for up to startup_wait_seconds, then
  the start fails naming it and its settings (exit 2); a login RabbitMQ
  refuses, or a 401/403 from the controller (a wrong token or password, a
  token bound to another clientid), fails it at once (exit 1).

EXIT STATUS
  0 stopped by a signal; 1 bad configuration or command line, or credentials
  a peer refuses; 2 start-up failed (build root or dput config unusable,
  RabbitMQ or the controller unreachable for startup_wait_seconds, metrics_port
  cannot be bound).
)";

// The isolated builder's roots, in the log; generations an update left
// behind and no build holds are removed.
void ReportRoots(const client::ClientConfig& c) {
  client::SubprocessRunner runner;
  client::Roots roots({c.build.roots_dir, c.build.sandbox}, runner, {});
  std::vector<client::RootInfo> held = roots.List();
  for (const auto& r : held) {
    roots.Sweep(r.name);
    spdlog::info("root {} ({}, created {})", r.name, r.generation, r.created);
  }
  if (held.empty()) {
    spdlog::warn(
        "no roots in {}: every job fails with chroot-missing until "
        "`cbit-client chroot create SUITE` makes one",
        c.build.roots_dir);
  }
}

// What must be right before any job is taken: jobs failing one by one on a
// missing directory or dput config would each look like a package's fault.
// Throws StartupError.
void CheckStartup(const client::ClientConfig& c) {
  std::error_code ec;
  std::filesystem::create_directories(c.buildroot, ec);
  if (ec)
    throw process::StartupError("cannot create buildroot " + c.buildroot + ": " + ec.message());
  if (!c.dry_run && !std::filesystem::exists(c.dput_config))
    throw process::StartupError("dput_config " + c.dput_config + " does not exist");
  if (c.build.kind == client::BuilderKind::kIsolated) ReportRoots(c);
}

// The broker and the controller, before any job is taken: they are waited
// for up to startup_wait_seconds in all (a farm boots in any order, and a
// restart of either must not fail the unit at once; under systemd's start
// timeout), then the start fails naming the one missing; one that refuses the credentials fails it
// at once. The controller is asked with the client's heartbeat, which also tells a token bound to
// another client name (403). False: stopped while waiting.
bool CheckPeers(const client::ClientConfig& c, const process::StopSignals& stop) {
  const peercheck::WaitPolicy wait{
      .wait = c.startup_wait, .wait_setting = "startup_wait_seconds", .stop = &stop.flag()};
  const peercheck::Peer broker{queue::DescribeBroker(c.amqp), "host, port, vhost, userid, password",
                               [&c] { return queue::ProbeBroker(c.amqp); }};
  const http::Credentials credentials{c.controller_user, c.controller_password, c.controller_token};
  const peercheck::Peer controller{
      http::DescribeControllers(c.controller_urls),
      c.controller_token.empty() ? "controller_url, controller_user, controller_password"
                                 : "controller_url, token",
      [&c, credentials] {
        return http::ProbeController(c.controller_urls, credentials, "PUT",
                                     "/buildd/" + c.clientid + "/heartbeat", c.http_timeout);
      }};
  return peercheck::AwaitAll({broker, controller}, wait);
}

// The job loop until a stop signal.
void Serve(const client::ClientConfig& config, const process::StopSignals& stop) {
  // Builds, slots, the broker and what the controller took, counted from
  // the start; served on metrics_port when it is set (also while the peers
  // are waited for: /health/live says the process runs).
  client::ClientMetrics metrics;
  std::optional<metricsd::Listener> listener;
  if (config.metrics.enabled()) {
    listener.emplace(config.metrics, [&metrics] { return metrics.Render(); });
    spdlog::info("metrics on http://{}:{}/metrics", config.metrics.address, listener->port());
  }
  if (!CheckPeers(config, stop)) return;
  // The controller's HTTP API: job status, status reports, log chunks.
  client::HttpControllerApi http_api(
      config.controller_urls,
      {config.controller_user, config.controller_password, config.controller_token},
      config.http_timeout);
  client::MeteredControllerApi api(http_api, metrics);

  // How commands run: for real, or only logged (dry_run).
  client::SubprocessRunner real;
  client::DryRunRunner dry;
  client::Runner& runner = config.dry_run ? static_cast<client::Runner&>(dry) : real;

  // Consume → decide → build in a worker → report → settle, reconnecting to
  // the broker with backoff.
  auto publisher = queue::MakeAmqpPublisher(config.amqp, 1);
  auto connect = [&] { return std::make_unique<queue::AmqpConsumer>(config.amqp); };
  client::Daemon daemon(
      config, api, runner, *publisher, connect, [&stop] { return stop.requested(); }, &metrics);
  // Configuration, build root and peers checked; from here on the loop
  // reconnects to the broker after any loss.
  notify::Ready();
  daemon.Run();
  notify::Stopping();
}

}  // namespace

// Only the command line's definition could throw here (CLI11, on a
// programming error); everything after parsing runs inside process::Run.
int main(int argc, char** argv) {  // NOLINT(bugprone-exception-escape)
  CLI::App app{kDescription, "cbit-client"};
  app.get_formatter()->column_width(30);
  std::string config_path;
  CLI::Option* config_option =
      app.add_option("-c,--config", config_path, "JSON config file (keys above)");
  client::ChrootCli chroot;
  client::AddChrootCommands(app, chroot);
  process::CliOverrides<client::ClientConfig> overrides(app);
  overrides.AddFlag("--dry-run", &client::ClientConfig::dry_run,
                    "log every command, run none (as dry_run: true)");
  overrides.Add("--log-level", &client::ClientConfig::log_level,
                "trace|debug|info|warn|error (overrides log_level)");
  overrides.AddParsed(
      "--metrics-port",
      [](client::ClientConfig& c, const std::string& v) {
        c.metrics.port = metricsd::ParsePort(v);
      },
      "serve /metrics and /health/live on this port (overrides metrics_port; 0: off)");
  if (auto rc = process::ParseCommandLine(app, argc, argv)) return *rc;
  if (*chroot.chroot) return client::RunChrootCommand(chroot);
  journal::UseJournalIfConnected("cbit-client");
  if (!*config_option) {
    std::cerr << "cbit-client: --config is required\n";
    return static_cast<int>(process::ExitCode::kBadConfig);
  }

  return process::Run("cbit-client", [&] {
    // 1. Configuration: every key checked before anything starts.
    client::ClientConfig config = overrides.Over(client::LoadConfig(config_path));
    journal::SetProcessClient(config.clientid);
    config.build.sandbox = client::SandboxBesideProgram();
    spdlog::set_level(spdlog::level::from_str(config.log_level));
    // 2. What must be right before any job is taken.
    CheckStartup(config);
    // 3. The job loop, until SIGTERM/SIGINT.
    process::StopSignals stop;
    Serve(config, stop);
    spdlog::info("stopped");
  });
}
