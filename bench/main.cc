// cbit-bench: the controller's and the build client's speed on this
// machine, against real servers it starts and stops itself.
#include <CLI/CLI.hpp>
#include <cstdio>

#include "bench/farm.h"
#include "bench/hostile_load.h"
#include "tests/support/fixture.h"

namespace {

constexpr const char* kModes = R"(
MODES (one at a time; without one: the controller and client benchmark)
  --compare OTHER  alternated runs of this build's cbit-web (A) and OTHER (B):
                   submissions at 8 and 1 connections, GET /job/<id> at 8;
                   B / A ratios of the medians
  --hostile        alternated runs without and with a hostile load: --slow
                   connections (slowloris) from --slow-addresses source
                   addresses 127.0.0.2…, and junk request bodies at
                   --junk-rate MB/s (without credentials, with credentials
                   under the body cap, chunked past it); submissions/s and
                   GET /job/<id> rate and p50/p99 in both, cbit-web's peak
                   RSS (sampled VmRSS, VmHWM)
  --parallel-builds N
                   builds/min of one cbit-client with jobs 1 against jobs 2
                   on N copies of the example package submitted at once,
                   --rounds alternated pairs of runs (--parallel-builder
                   host or isolated; isolated: --roots-dir with the root
                   bookworm-<arch> made by cbit-client chroot create)
  --list-rss       fills a database with --jobs jobs, then a fresh cbit-web
                   answers GET /job (the whole list, streamed) --lists times:
                   its VmRSS after each and VmHWM
  --cli            fills a database with --jobs jobs, then runs the `cbit`
                   binary's listings (--cli-runs times each): p50/p90/max
)";

struct Settings {
  std::vector<std::string> backends{"sqlite", "postgres"};
  int reps = 3, client_jobs = 200, rounds = 5, lists = 3, parallel_builds = 0;
  cbit::bench::ParallelOptions parallel;
  double seconds = 3;
  std::int64_t big = 100000;
  bool wait_for_confirm = false, hostile = false, list_rss = false, cli = false;
  int cli_runs = 20;
  std::string compare;
  double junk_mb = 10;
  cbit::bench::HostileOptions load;
};

void AddOptions(CLI::App& app, Settings& s) {
  app.add_option("--backend", s.backends, "sqlite and/or postgres (default both)");
  app.add_option("--reps", s.reps, "repetitions of each rate measurement (median printed)");
  app.add_option("--seconds", s.seconds, "length of each rate measurement");
  app.add_option("--jobs", s.big,
                 "jobs in the database for the 'full' measurements, --list-rss and --cli");
  app.add_option("--client-jobs", s.client_jobs, "jobs for the build client measurement (0: skip)");
  app.add_flag("--wait-for-confirm", s.wait_for_confirm,
               "run cbit-web with controller.wait_for_confirm (answer after the broker's confirm)");
  auto* compare = app.add_option("--compare", s.compare,
                                 "compare the build tree's cbit-web with this one (a binary named "
                                 "cbit-web) in alternated runs (MODES)")
                      ->check(CLI::ExistingFile);
  app.add_option("--rounds", s.rounds, "runs of each binary with --compare");
  auto* hostile = app.add_flag("--hostile", s.hostile, "the hostile-load benchmark (MODES)");
  auto* list = app.add_flag("--list-rss", s.list_rss, "memory after whole-table lists (MODES)");
  auto* cli = app.add_flag("--cli", s.cli, "the cbit command's listings (MODES)");
  app.add_option("--cli-runs", s.cli_runs, "--cli: runs of each command (default 20)")
      ->check(CLI::Range(1, 1000));
  compare->excludes(hostile, list, cli);
  hostile->excludes(list, cli);
  list->excludes(cli);
  app.add_option("--slow", s.load.slow_connections, "--hostile: slow connections (default 1000)");
  app.add_option("--slow-addresses", s.load.slow_addresses,
                 "--hostile: source addresses they come from (default 4)")
      ->check(CLI::Range(1, 250));
  app.add_option("--junk-rate", s.junk_mb, "--hostile: junk body MB/s in total (default 10)");
  app.add_option("--junk-senders", s.load.junk_senders,
                 "--hostile: connections sending junk bodies at once (default 6)")
      ->check(CLI::Range(1, 1000));
  app.add_option("--lists", s.lists, "--list-rss: lists read (default 3)");
  app.add_option("--parallel-builds", s.parallel_builds, "packages per run (MODES)")
      ->check(CLI::Range(1, 500));
  app.add_option("--parallel-builder", s.parallel.builder, "--parallel-builds: host or isolated")
      ->check(CLI::IsMember({"host", "isolated"}));
  app.add_option("--roots-dir", s.parallel.roots_dir, "--parallel-builder isolated: the roots");
  app.footer(kModes);
}

void Run(Settings& s) {
  using namespace cbit::bench;
  s.load.junk_bytes_per_second = s.junk_mb * 1e6;
  if (s.parallel_builds > 0) {
    RunParallelBench(s.parallel_builds, s.rounds, s.parallel);
    return;
  }
  for (const auto& b : s.backends) {
    if (!s.compare.empty()) RunCompare(b, s.compare, s.rounds, s.seconds);
    if (s.hostile) RunHostileBench(b, s.reps, s.seconds, s.load);
    if (s.list_rss) RunListRss(b, s.big, s.lists);
    if (s.cli) RunCliBench(b, s.big, s.cli_runs);
  }
  if (!s.compare.empty() || s.hostile || s.list_rss || s.cli) return;
  for (const auto& b : s.backends)
    RunControllerBench(b, s.reps, s.seconds, s.big, s.wait_for_confirm);
  if (s.client_jobs > 0) RunClientBench(s.client_jobs, s.wait_for_confirm);
}

}  // namespace

// Only the command line's definition could throw outside the try (CLI11,
// on a programming error).
int main(int argc, char** argv) {  // NOLINT(bugprone-exception-escape)
  CLI::App app{
      "cbit-bench - measures cbit-web (against real PostgreSQL/SQLite and RabbitMQ) and "
      "cbit-client; prints medians and percentiles",
      "cbit-bench"};
  Settings s;
  AddOptions(app, s);
  CLI11_PARSE(app, argc, argv);
  std::setvbuf(stdout, nullptr, _IOLBF, 0);
  cbit::bench::InstallStopHandler();
  int rc = 0;
  try {
    Run(s);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "cbit-bench: %s\n", e.what());
    rc = 1;
  }
  cbit::testing::RunExitHooks();
  return rc;
}
