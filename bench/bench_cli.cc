// cbit-bench --cli: the `cbit` command's answer time against a controller
// holding --jobs jobs. Each listing is the binary run from start to exit
// (process start, settings, the HTTP request and the table), as a person
// or a CI step runs it. Target (issue): `cbit jobs` ≤ 100 ms at 100,000.
#include <algorithm>
#include <cstdio>
#include <fstream>

#include "bench/bench.h"
#include "tests/support/fixture.h"
#include "tests/support/postgres.h"
#include "tests/support/rabbitmq.h"
#include "util/subprocess.h"

namespace cbit::bench {
namespace {

using std::chrono::duration;

// Milliseconds of each of `runs` runs of `cbit args…`.
std::vector<double> TimeRuns(const std::vector<std::string>& env,
                             const std::vector<std::string>& args, int runs) {
  Command cmd;
  cmd.argv = {std::string(CBIT_BINARY_DIR) + "/cbit"};
  cmd.argv.insert(cmd.argv.end(), args.begin(), args.end());
  cmd.env = env;
  cmd.timeout = std::chrono::seconds(60);
  std::vector<double> ms;
  for (int i = 0; i < runs; ++i) {
    auto t0 = Clock::now();
    CommandResult r = RunCommand(cmd);
    ms.push_back(duration<double, std::milli>(Clock::now() - t0).count());
    if (!r.ok()) throw std::runtime_error(DescribeArgv(cmd.argv) + " failed:\n" + r.output);
  }
  return ms;
}

}  // namespace

void RunCliBench(const std::string& backend, std::int64_t jobs, int runs) {
  const auto& amqp = testing::SharedRabbit().options();
  std::string dir = testing::ScratchDir("bench-" + backend + "-cli");
  std::string db = backend == "sqlite" ? dir + "/cbit.db" : testing::FreshPostgresDatabase();
  std::printf("\n== %s, the cbit command against %lld jobs\n", backend.c_str(), (long long)jobs);
  Web web(dir, backend, db, amqp);
  Bench b(web.port());
  b.Seed({"bench"});
  auto t0 = Clock::now();
  b.FillTo(jobs);
  std::printf("filled to %lld jobs in %.0f s\n", (long long)b.jobs(),
              duration<double>(Clock::now() - t0).count());
  std::string site = dir + "/cli.json";
  std::ofstream(site) << R"({"url": "http://127.0.0.1:)" << web.port()
                      << R"(", "user": "admin", "password": ")" << kPassword << R"("})";
  std::vector<std::string> env = {"CBIT_SITE_CONFIG=" + site, "XDG_CONFIG_HOME=" + dir + "/home"};
  const std::vector<std::vector<std::string>> commands = {
      {"jobs"},
      {"--json", "jobs"},
      {"jobs", "--status", "Waiting"},
      {"jobs", "--package", "p" + std::to_string(jobs / 2)},
      {"jobs", "--since", "1h", "--limit", "50"},
      {"show", std::to_string(jobs / 2)},
  };
  for (const auto& args : commands) {
    std::string line = "cbit";
    for (const auto& a : args) line += " " + a;
    auto ms = TimeRuns(env, args, runs);
    std::printf("%-40s p50 %6.1f ms  p90 %6.1f ms  max %6.1f ms  (%d runs)\n", line.c_str(),
                Median(ms), Percentile(ms, 0.9), *std::max_element(ms.begin(), ms.end()), runs);
  }
}

}  // namespace cbit::bench
