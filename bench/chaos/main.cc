// cbit-chaos: the fault-injection run. It starts the whole farm (RabbitMQ,
// one node or a 3-node cluster; PostgreSQL or SQLite, cbit-web, build
// clients, the watcher with reprepro), drives it through --jobs jobs while
// it kills -9 and restarts its parts at random moments and stops a client
// for longer than its lease, then checks that nothing was lost, duplicated
// or stuck and that nothing is left running.
#include <CLI/CLI.hpp>
#include <cstdio>
#include <exception>
#include <random>

#include "bench/chaos/run.h"
#include "tests/support/fixture.h"

namespace {

constexpr const char* kFooter = R"(
FAULTS (one at a time, in shuffled rounds of every kind, --min-gap to --max-gap
seconds apart; a killed part is started again 0.1-3 s later)
  controller      kill -9 cbit-web (with --controllers, one of them at random)
  rabbitmq        kill -9 the RabbitMQ node's Erlang VM; with --rabbit-cluster one
                  node of the three at random, started again and back in the
                  cluster before the next fault (never two down at once)
  postgresql      kill -9 the postmaster (--backend postgres only)
  client          kill -9 a build client
  watcher         kill -9 cbit-watcher
  client-stopped  SIGSTOP a client and its processes for the lease + 1-4 s

CHECKS (exit status 1 when one fails)
  every job final (Uploaded, Failed, Cancelled) within --duration seconds of
  the start; every package has a job and is published; none Done twice,
  Uploaded by two jobs or published twice; every published package's files
  in the pool; no job Failed; no process of the run left once it stopped.
  Recovery: for each fault, how long the jobs a client held then took to
  reach their final status (the longest per kind).

STOPPING EARLY
  SIGINT or SIGTERM: no more submissions or faults (a stopped client is
  resumed), the jobs under way finish, and the checks run on the packages
  submitted so far. A second signal ends the run at once.
)";

}  // namespace

// Only the command line's definition could throw outside the try.
int main(int argc, char** argv) {  // NOLINT(bugprone-exception-escape)
  CLI::App app{
      "cbit-chaos - runs the farm through jobs while killing its parts; checks that "
      "nothing is lost, duplicated or stuck",
      "cbit-chaos"};
  cbit::chaos::RunOptions o;
  o.seed = std::random_device{}();
  app.add_option("--jobs", o.jobs, "jobs (one package each) to build (default 200)")
      ->check(CLI::Range(1, 100000));
  app.add_option("--seed", o.seed, "the fault schedule's seed (default random; printed)");
  app.add_option("--backend", o.backend, "sqlite or postgres (default sqlite)")
      ->check(CLI::IsMember({"sqlite", "postgres"}));
  app.add_option("--duration", o.duration_seconds,
                 "seconds from the start within which every job must be final (default 170)")
      ->check(CLI::Range(10, 7 * 24 * 3600));
  app.add_option("--clients", o.clients, "build clients (default 3)")->check(CLI::Range(1, 32));
  app.add_option("--lease", o.lease_seconds, "controller.lease_seconds (default 4)")
      ->check(CLI::Range(2, 600));
  app.add_option("--min-gap", o.min_gap_seconds, "least seconds between faults (default 1)")
      ->check(CLI::Range(0.0, 3600.0));
  app.add_option("--max-gap", o.max_gap_seconds, "most seconds between faults (default 5)")
      ->check(CLI::Range(0.0, 3600.0));
  app.add_flag("--rabbit-cluster", o.rabbit_cluster,
               "RabbitMQ as a 3-node cluster with quorum queues; the controller and the clients "
               "are given every node");
  app.add_option("--controllers", o.controllers,
                 "cbit-web processes on the one database (default 1; more: --backend postgres); "
                 "the clients and the watcher are given every URL, submissions go to the next "
                 "one when one does not answer, and a controller fault kills one at random")
      ->check(CLI::Range(1, 4));
  app.add_flag(
      "--no-faults", [&o](std::int64_t) { o.faults = false; },
      "the same run without faults (a baseline)");
  app.footer(kFooter);
  CLI11_PARSE(app, argc, argv);
  if (o.controllers > 1 && o.backend != "postgres") {
    std::fprintf(stderr, "cbit-chaos: --controllers %d needs --backend postgres\n", o.controllers);
    return 2;
  }
  if (o.max_gap_seconds < o.min_gap_seconds) {
    std::fprintf(stderr, "cbit-chaos: --max-gap must be at least --min-gap\n");
    return 2;
  }
  int rc = 1;
  try {
    rc = cbit::chaos::RunChaos(o);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "cbit-chaos: %s\n", e.what());
    cbit::testing::SetProgramScratchOutcome(true);
  }
  cbit::testing::RunExitHooks();
  return rc;
}
