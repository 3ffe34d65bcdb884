// cbit-bench: the controller's and the build client's speed on this
// machine, against real servers it starts and stops itself.
#include <CLI/CLI.hpp>
#include <cstdio>

#include "bench/farm.h"
#include "tests/support/fixture.h"

int main(int argc, char** argv) {
  CLI::App app{
      "cbit-bench - measures cbit-web (against real PostgreSQL/SQLite and RabbitMQ) and "
      "cbit-client; prints medians and percentiles",
      "cbit-bench"};
  std::vector<std::string> backends{"sqlite", "postgres"};
  int reps = 3, client_jobs = 200;
  double seconds = 3;
  std::int64_t big = 100000;
  bool wait_for_confirm = false;
  std::string compare;
  int rounds = 5;
  app.add_option("--backend", backends, "sqlite and/or postgres (default both)");
  app.add_option("--reps", reps, "repetitions of each rate measurement (median printed)");
  app.add_option("--seconds", seconds, "length of each rate measurement");
  app.add_option("--jobs", big, "jobs in the database for the 'full' measurements");
  app.add_option("--client-jobs", client_jobs, "jobs for the build client measurement (0: skip)");
  app.add_flag("--wait-for-confirm", wait_for_confirm,
               "run cbit-web with controller.wait_for_confirm (answer after the broker's confirm)");
  app.add_option("--compare", compare,
                 "instead of the benchmark: compare the build tree's cbit-web with this one "
                 "(a binary named cbit-web) in alternated runs of the submission rate on an "
                 "empty database, at 1 and 8 connections")
      ->check(CLI::ExistingFile);
  app.add_option("--rounds", rounds, "runs of each binary with --compare");
  CLI11_PARSE(app, argc, argv);
  std::setvbuf(stdout, nullptr, _IOLBF, 0);
  cbit::bench::InstallStopHandler();
  int rc = 0;
  try {
    if (!compare.empty()) {
      for (const auto& b : backends) cbit::bench::RunCompare(b, compare, rounds, seconds);
    } else {
      for (const auto& b : backends)
        cbit::bench::RunControllerBench(b, reps, seconds, big, wait_for_confirm);
      if (client_jobs > 0) cbit::bench::RunClientBench(client_jobs, wait_for_confirm);
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "cbit-bench: %s\n", e.what());
    rc = 1;
  }
  cbit::testing::RunExitHooks();
  return rc;
}
