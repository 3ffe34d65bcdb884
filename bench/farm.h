// What the benchmarks share: real processes (cbit-web, cbit-client) run in
// their own process groups and stopped on exit or on SIGINT/SIGTERM, HTTP
// clients tuned like real ones, and statistics.
#pragma once

#include <httplib.h>

#include <atomic>
#include <chrono>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "queue/publisher.h"

namespace cbit::bench {

using Clock = std::chrono::steady_clock;

inline constexpr const char* kPassword = "bench-password";

double Median(std::vector<double> v);
double Percentile(std::vector<double> v, double p);

/// A port nobody listens on.
int FreePort();

/// Blocks SIGINT/SIGTERM; on one, stops every Process and the servers the
/// run started (tests/support exit hooks), then exits 130.
void InstallStopHandler();

/// CPU time (user + system, seconds) used so far by the processes of the
/// farm, by component: "cbit-web", "postgres" (every backend and auxiliary
/// process), "rabbitmq" (beam.smp) and "bench" (this process: the load and
/// the consumer). Read from /proc/<pid>/stat; kernel threads (block I/O,
/// softirqs) are counted by none. Differences of two samples tell where the
/// machine's time goes, which on a noisy machine varies less than rates.
std::map<std::string, double> CpuSeconds();

/// "cbit-web 0.25 ms, postgres 0.52 ms, … total 1.20 ms": the CPU time
/// between two samples per operation.
std::string CpuPerOp(const std::map<std::string, double>& before,
                     const std::map<std::string, double>& after, double ops);

/// A binary of the build tree run in its own process group until destroyed
/// (then SIGINT, SIGKILL after a grace period), or until this program dies
/// (then SIGTERM); its output goes to `log`.
class Process {
 public:
  Process(std::vector<std::string> argv, std::string log);
  ~Process();

 private:
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

/// cbit-web on `backend` ("sqlite": `db` is a path; "postgres": a conninfo),
/// ready to serve when the constructor returns; `wait_for_confirm` is
/// controller.wait_for_confirm. `binary` is the build tree's cbit-web unless
/// given.
class Web {
 public:
  Web(const std::string& dir, const std::string& backend, const std::string& db,
      const queue::AmqpOptions& amqp, bool wait_for_confirm = false, std::string binary = "");
  int port() const { return port_; }
  /// The cbit-web process's id (for /proc/<pid>/status).
  int pid() const { return pid_; }

 private:
  int port_;
  int pid_ = 0;
  std::unique_ptr<Process> process_;
};

/// A keep-alive client with the benchmark's admin credentials.
std::unique_ptr<httplib::Client> Connect(int port);

/// PUT of a form; throws when not answered 200.
void MustPut(httplib::Client& c, const std::string& path, const std::string& body);

/// A vcshook form for one job of `name` 1.0-1 on amd64 in `suite`.
std::string SubmitBody(const std::string& suite, const std::string& name);

/// The controller benchmark (bench_controller.cc).
void RunControllerBench(const std::string& backend, int reps, double seconds, std::int64_t big,
                        bool wait_for_confirm);
/// Two cbit-web binaries compared in alternated runs (A, B, A, B, …) of the
/// empty-database submission rate at 1 and 8 connections and the
/// GET /job/<id> rate at 8 (the same 1,000 jobs, cached), `rounds` each: the
/// rates and where the CPU went, per run and as medians. On a machine whose speed
/// drifts, alternation and ratios to the load generator's own CPU (which does
/// the same work in every run) are what tell a change from the drift.
void RunCompare(const std::string& backend, const std::string& other, int rounds, double seconds);
struct HostileOptions;
/// Rates and latencies with and without a hostile load (slow connections,
/// junk bodies), alternated `reps` times, and cbit-web's memory throughout
/// (bench_hostile.cc).
void RunHostileBench(const std::string& backend, int reps, double seconds, HostileOptions o);
/// cbit-web's memory after `lists` whole-table GET /job of `jobs` jobs, on
/// a fresh process over a filled database (bench_list.cc).
void RunListRss(const std::string& backend, std::int64_t jobs, int lists);

/// `cbit` (jobs, --json jobs, filters, show) against `jobs` jobs: `runs`
/// runs of the binary each, p50/p90/max (bench_cli.cc).
void RunCliBench(const std::string& backend, std::int64_t jobs, int runs);
/// The build client benchmark (bench_client.cc).
void RunClientBench(int jobs, bool wait_for_confirm);
/// How the parallel-builds benchmark's client builds.
struct ParallelOptions {
  std::string builder = "host";  ///< or "isolated"
  std::string roots_dir;         ///< isolated: the prepared roots
  std::string root;              ///< isolated: the root's name there (default bookworm-<arch>)
  std::string arch;              ///< this machine's, filled in by the benchmark
};
/// Builds/minute of a client with `jobs: 1` against `jobs: 2` on `packages`
/// copies of the example package, in `rounds` alternated pairs of runs
/// (bench_parallel.cc).
void RunParallelBench(int packages, int rounds, ParallelOptions o);

}  // namespace cbit::bench
