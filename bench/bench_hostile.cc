// cbit-bench --hostile: the controller's rates while slow connections and
// junk bodies arrive, against the same without them, and its memory
// throughout. Targets (issue): GET /job/<id> p99 ≤ 50 ms under the load,
// submissions ≥ 80 % of the rate without it, RSS ≤ 256 MB throughout.
#include <sys/resource.h>

#include <cstdio>
#include <fstream>
#include <sstream>

#include "bench/bench.h"
#include "bench/hostile_load.h"
#include "bench/memory.h"

namespace cbit::bench {
namespace {

using std::chrono::duration;
using std::chrono::milliseconds;

// The jobs read back by GET /job/<id>, all in the job cache after the first
// pass.
constexpr std::int64_t kIds = 1000;

// One condition's figures over the repetitions.
struct Figures {
  std::vector<double> submit, get, latency_ms;
};

// The load opens a socket per connection: raise this process's soft limit
// to the hard one.
void RaiseFileLimit(rlim_t need) {
  rlimit rl{};
  if (getrlimit(RLIMIT_NOFILE, &rl) != 0) throw std::runtime_error("getrlimit failed");
  if (rl.rlim_cur < rl.rlim_max) {
    rl.rlim_cur = rl.rlim_max;
    setrlimit(RLIMIT_NOFILE, &rl);
  }
  if (rl.rlim_cur < need)
    throw std::runtime_error("open files are limited to " + std::to_string(rl.rlim_cur) + ", " +
                             std::to_string(need) + " needed");
}

// "Max open files 20000 20000 files" of /proc/<pid>/limits: the soft limit.
std::string OpenFileLimit(int pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/limits");
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream fields(line.substr(std::min<std::size_t>(line.size(), 14)));
    std::string soft;
    if (line.rfind("Max open files", 0) == 0 && fields >> soft) return soft;
  }
  return "?";
}

void Measure(Bench& b, double seconds, Figures& f, const char* label) {
  f.submit.push_back(b.Submit(8, seconds));
  std::vector<double> ms;
  f.get.push_back(b.GetJobRate(8, seconds, kIds, &ms));
  std::printf("  %s: submissions %6.0f/s; GET /job/<id> %6.0f/s, p50 %.2f ms, p99 %.2f ms\n", label,
              f.submit.back(), f.get.back(), Percentile(ms, 0.5), Percentile(ms, 0.99));
  f.latency_ms.insert(f.latency_ms.end(), ms.begin(), ms.end());
}

void MeasureUnderLoad(Bench& b, double seconds, const HostileOptions& o, Figures& f) {
  auto t0 = Clock::now();
  HostileLoad load(o);
  int open = load.WaitOpen(o.slow_connections, milliseconds(20000));
  std::printf("  load: %d slow connections open after %.1f s\n", open,
              duration<double>(Clock::now() - t0).count());
  auto cpu0 = CpuSeconds();
  auto t1 = Clock::now();
  double thread0 = load.counts().cpu_seconds;
  Measure(b, seconds, f, "under load");
  auto counts = load.counts();
  double wall = duration<double>(Clock::now() - t1).count();
  auto cpu1 = CpuSeconds();
  std::printf("  %s\n", Describe(counts, duration<double>(Clock::now() - t0).count()).c_str());
  std::printf(
      "  CPU while measured (share of one core): load thread %.2f, cbit-bench in all %.2f, "
      "cbit-web %.2f\n",
      (counts.cpu_seconds - thread0) / wall, (cpu1["bench"] - cpu0["bench"]) / wall,
      (cpu1["cbit-web"] - cpu0["cbit-web"]) / wall);
}

void PrintSummary(const Figures& base, const Figures& loaded, const RssSampler& rss, int pid) {
  auto line = [](const char* label, const Figures& f) {
    std::printf("%s: submissions %6.0f/s, GET /job/<id> %6.0f/s, p50 %.2f ms, p99 %.2f ms\n", label,
                Median(f.submit), Median(f.get), Percentile(f.latency_ms, 0.5),
                Percentile(f.latency_ms, 0.99));
  };
  line("without load (medians)", base);
  line("under load   (medians)", loaded);
  std::printf("GET /job/<id> p99 under load: %.2f ms (target ≤ 50)\n",
              Percentile(loaded.latency_ms, 0.99));
  std::printf("submissions under load / without: %.3f (target ≥ 0.80); GET rate: %.3f\n",
              Median(loaded.submit) / std::max(Median(base.submit), 1.0),
              Median(loaded.get) / std::max(Median(base.get), 1.0));
  Memory m = ReadMemory(pid);
  std::printf("cbit-web memory: sampled peak VmRSS %.1f MB, now %s (target ≤ 256 MB)\n", rss.peak(),
              Describe(m).c_str());
}

}  // namespace

void RunHostileBench(const std::string& backend, int reps, double seconds, HostileOptions o) {
  RaiseFileLimit(static_cast<rlim_t>(o.slow_connections) + static_cast<rlim_t>(o.junk_senders) +
                 256);
  auto web = StartWeb(backend, "hostile", false);
  o.port = web->port();
  o.authorization = httplib::make_basic_authentication_header("admin", kPassword).second;
  std::printf(
      "\n== %s, hostile load: %d slow connections from %d addresses (127.0.0.2…), a header line "
      "each every %lld ms; junk bodies at %.1f MB/s from %d senders; cbit-web's open-file "
      "limit %s\n",
      backend.c_str(), o.slow_connections, o.slow_addresses, (long long)o.slow_line_every.count(),
      o.junk_bytes_per_second / 1e6, o.junk_senders, OpenFileLimit(web->pid()).c_str());
  RssSampler rss(web->pid(), milliseconds(100));
  std::printf("cbit-web at start: %s\n", Describe(ReadMemory(web->pid())).c_str());
  Bench b(web->port());
  b.Seed({"bench"});
  b.Submit(8, 1);  // warm-up: connections, prepared statements
  b.FillTo(kIds);
  b.GetJobRate(8, 0.5, kIds);  // warm-up: the job cache
  Figures base, loaded;
  for (int rep = 0; rep < reps; ++rep) {
    std::printf("round %d\n", rep + 1);
    Measure(b, seconds, base, "without load");
    std::printf("  cbit-web: %s\n", Describe(ReadMemory(web->pid())).c_str());
    MeasureUnderLoad(b, seconds, o, loaded);
    std::printf("  cbit-web: %s\n", Describe(ReadMemory(web->pid())).c_str());
  }
  PrintSummary(base, loaded, rss, web->pid());
}

}  // namespace cbit::bench
