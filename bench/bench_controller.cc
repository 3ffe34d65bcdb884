// cbit-bench: the controller's speed on this machine, against real servers.
//
// Starts a private RabbitMQ node and (for postgres) a PostgreSQL cluster with
// synchronous commit, runs the real cbit-web binary against them, and drives
// it over keep-alive HTTP connections:
//   - POST /job/vcshook submissions/s at 1 and 8 connections, on an empty
//     database and with 100,000 jobs in it (every answer waits for the
//     database commit and the send to the broker; with --wait-for-confirm
//     for the broker's publisher confirm too);
//   - submission latency: POST sent → answered, and POST sent → the
//     BuildRequest delivered to a consumer of its queue (p50 / p99);
//   - GET /job with 10,000 jobs; GET /job/<id> requests/s at 8 connections.
// With --compare, only the submission rates on an empty database (1
// connection, then 8 with the CPU shares) and the GET /job/<id> rate, for two
// cbit-web binaries in alternated runs (RunCompare).
// The empty-database rates and the latencies run on one database; the lists
// and the 100,000-job rates on a second, filled to exactly 10,000 jobs first.
// Each rate is measured three times; the median is printed. Targets (issue):
// ≥ 3,000/s on PostgreSQL (≥ 2,500/s at 100k jobs), ≥ 2,000/s on SQLite,
// latency ≤ 2 ms p50 / ≤ 25 ms p99, GET /job ≤ 100 ms, GET /job/<id> ≥ 20,000/s.
#include <algorithm>
#include <cstdio>
#include <map>

#include "bench/bench.h"
#include "tests/support/rabbitmq.h"

namespace cbit::bench {

using std::chrono::duration;

void RunControllerBench(const std::string& backend, int reps, double seconds, std::int64_t big,
                        bool wait_for_confirm) {
  auto& rabbit = testing::SharedRabbit();
  // Each part runs on a database of its own, so that the lists are measured
  // at exactly the size the targets name, whatever the rates before did.
  auto start_web = [&](const std::string& part) {
    return StartWeb(backend, part, wait_for_confirm);
  };
  std::printf("\n== %s (%s; answered after %s)\n", backend.c_str(),
              backend == "sqlite" ? "WAL, synchronous=FULL" : "synchronous_commit=on",
              wait_for_confirm ? "the broker's confirm" : "commit and send");
  // The median rate; at 8 connections, also where the CPU went per
  // submission (all repetitions together).
  std::string cpu;
  auto rate = [&](Bench& b, int conns) {
    std::vector<double> v;
    v.reserve(static_cast<std::size_t>(reps));
    auto cpu0 = CpuSeconds();
    std::int64_t jobs0 = b.jobs();
    for (int i = 0; i < reps; ++i) v.push_back(b.Submit(conns, seconds));
    if (conns == 8) cpu = CpuPerOp(cpu0, CpuSeconds(), static_cast<double>(b.jobs() - jobs0));
    return Median(v);
  };
  {
    auto web = start_web("empty");
    Bench b(web->port());
    b.Seed({"bench", "latency"});
    double empty1 = rate(b, 1), empty8 = rate(b, 8);
    std::printf("vcshook, empty db     : %7.0f/s at 1 conn, %7.0f/s at 8 conns\n", empty1, empty8);
    std::printf("  CPU per submission at 8 conns (ms): %s\n", cpu.c_str());
    std::vector<double> answer, delivered;
    b.Latency(rabbit.options(), 2000, answer, delivered);
    std::printf("latency POST→answer   : p50 %.2f ms, p99 %.2f ms (%zu)\n", Percentile(answer, 0.5),
                Percentile(answer, 0.99), answer.size());
    std::printf("latency POST→consumer : p50 %.2f ms, p99 %.2f ms (%zu delivered)\n",
                Percentile(delivered, 0.5), Percentile(delivered, 0.99), delivered.size());
  }

  auto web = start_web("full");
  Bench b(web->port());
  b.Seed({"bench"});
  b.FillTo(10000);
  auto list = b.ListJobs(15);
  std::printf("GET /job, %lld jobs   : median %.1f ms, p90 %.1f ms (%zu bytes)\n",
              (long long)b.jobs(), Median(list), Percentile(list, 0.9), b.list_bytes());
  std::vector<double> gets;
  gets.reserve(static_cast<std::size_t>(reps));
  auto cpu0 = CpuSeconds();
  for (int i = 0; i < reps; ++i) gets.push_back(b.GetJobRate(8, seconds));
  std::printf("GET /job/<id>         : %7.0f/s at 8 conns\n", Median(gets));
  std::printf("  CPU per request (ms): %s\n",
              CpuPerOp(cpu0, CpuSeconds(), static_cast<double>(b.gets())).c_str());

  auto t0 = Clock::now();
  b.FillTo(big);
  std::printf("filled to %lld jobs in %.0f s\n", (long long)b.jobs(),
              duration<double>(Clock::now() - t0).count());
  double full1 = rate(b, 1), full8 = rate(b, 8);
  std::printf("vcshook, %lld jobs : %7.0f/s at 1 conn, %7.0f/s at 8 conns\n", (long long)b.jobs(),
              full1, full8);
  std::printf("  CPU per submission at 8 conns (ms): %s\n", cpu.c_str());
}

namespace {

// Jobs read back by GET /job/<id> in --compare: the same ids for both
// binaries, every one in the job cache after the first pass.
constexpr std::int64_t kCompareIds = 1000;

// One binary's figures over the rounds of --compare.
struct CompareFigures {
  std::vector<double> submit8, submit1, get8;
  /// Each component's CPU per operation divided by the load generator's.
  std::map<std::string, std::vector<double>> submit_cpu, get_cpu;
};

// Appends each component's CPU between the samples, over the load
// generator's; returns the CPU per operation as text.
std::string RecordCpu(const std::map<std::string, double>& cpu0,
                      const std::map<std::string, double>& cpu1, double ops,
                      std::map<std::string, std::vector<double>>& ratios) {
  double load = std::max(cpu1.at("bench") - cpu0.at("bench"), 1e-9);
  for (const auto& [name, sec] : cpu1)
    if (name != "bench") ratios[name].push_back((sec - cpu0.at(name)) / load);
  return CpuPerOp(cpu0, cpu1, ops);
}

void CompareRound(const std::string& backend, const std::string& binary, double seconds,
                  CompareFigures& f, const std::string& label) {
  auto web = StartWeb(backend, "compare", false, binary);
  Bench b(web->port());
  b.Seed({"bench"});
  b.Submit(8, 1);  // warm-up: connections, prepared statements, caches
  b.FillTo(kCompareIds);
  f.submit1.push_back(b.Submit(1, seconds / 2));
  auto cpu0 = CpuSeconds();
  std::int64_t jobs0 = b.jobs();
  f.submit8.push_back(b.Submit(8, seconds));
  auto cpu1 = CpuSeconds();
  std::string submit_cpu =
      RecordCpu(cpu0, cpu1, static_cast<double>(b.jobs() - jobs0), f.submit_cpu);
  b.GetJobRate(8, 0.5, kCompareIds);  // warm-up: the job cache
  std::int64_t gets0 = b.gets();
  cpu0 = CpuSeconds();
  f.get8.push_back(b.GetJobRate(8, seconds, kCompareIds));
  cpu1 = CpuSeconds();
  std::string get_cpu = RecordCpu(cpu0, cpu1, static_cast<double>(b.gets() - gets0), f.get_cpu);
  std::printf("%s: submissions %7.0f/s (1 conn: %.0f/s), GET /job/<id> %7.0f/s\n", label.c_str(),
              f.submit8.back(), f.submit1.back(), f.get8.back());
  std::printf("  CPU per submission (ms): %s\n  CPU per GET (ms): %s\n", submit_cpu.c_str(),
              get_cpu.c_str());
}

void PrintCpuRatios(const char* what, const std::map<std::string, std::vector<double>>& ratios) {
  std::printf("  CPU per %s / load generator's:", what);
  for (const auto& [name, v] : ratios) std::printf(" %s %.2f", name.c_str(), Median(v));
  std::printf("\n");
}

double Ratio(const std::vector<double>& b, const std::vector<double>& a) {
  return Median(b) / std::max(Median(a), 1.0);
}

}  // namespace

void RunCompare(const std::string& backend, const std::string& other, int rounds, double seconds) {
  const std::string binaries[2] = {std::string(CBIT_BINARY_DIR) + "/cbit-web", other};
  CompareFigures f[2];
  std::printf(
      "\n== %s: A = %s, B = %s; submissions on an empty database at 8 and 1 connections, then "
      "GET /job/<id> of %lld jobs at 8 connections\n",
      backend.c_str(), binaries[0].c_str(), binaries[1].c_str(), (long long)kCompareIds);
  for (int round = 0; round < rounds; ++round)
    for (int which = 0; which < 2; ++which)
      CompareRound(backend, binaries[which], seconds, f[which],
                   std::string(1, "AB"[which]) + " round " + std::to_string(round + 1));
  for (int which = 0; which < 2; ++which) {
    std::printf("%c median: submissions %7.0f/s (1 conn: %.0f/s), GET /job/<id> %7.0f/s\n",
                "AB"[which], Median(f[which].submit8), Median(f[which].submit1),
                Median(f[which].get8));
    PrintCpuRatios("submission", f[which].submit_cpu);
    PrintCpuRatios("GET", f[which].get_cpu);
  }
  std::printf("B / A: submissions %.3f (1 conn: %.3f), GET /job/<id> %.3f\n",
              Ratio(f[1].submit8, f[0].submit8), Ratio(f[1].submit1, f[0].submit1),
              Ratio(f[1].get8, f[0].get8));
}

}  // namespace cbit::bench
