#include "bench/chaos/run.h"

#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <optional>
#include <thread>

#include "bench/chaos/checks.h"
#include "bench/chaos/farm.h"
#include "bench/chaos/faults.h"
#include "bench/chaos/packages.h"
#include "bench/chaos/processes.h"
#include "tests/support/controller_harness.h"
#include "tests/support/fixture.h"
#include "util/clock.h"

namespace cbit::chaos {
namespace {

using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

// SIGINT or SIGTERM ends a run early but in order: no more submissions or
// faults (a stopped client is resumed), the jobs under way finish, and the
// checks run on what was submitted. A second signal kills at once.
std::atomic<bool> g_stop_requested{false};

void RequestStop(int) { g_stop_requested = true; }

void StopOnSignals() {
  struct sigaction sa = {};
  sa.sa_handler = RequestStop;
  sa.sa_flags = SA_RESETHAND;
  sigemptyset(&sa.sa_mask);
  ::sigaction(SIGINT, &sa, nullptr);
  ::sigaction(SIGTERM, &sa, nullptr);
}

// Submits the packages in order, keeping at most `window` jobs unfinished,
// so that job lists stay short and faults strike jobs in every stage. With
// several controllers, a call that gets no answer moves on to the next, as
// the hooks do.
class Submitter {
 public:
  Submitter(Farm& farm, std::vector<ChaosPackage> packages, std::string uri)
      : farm_(farm), packages_(std::move(packages)), uri_(std::move(uri)) {
    for (int i = 0; i < farm.options().controllers; ++i) admins_.push_back(farm.Admin(i));
  }

  bool all_submitted() const { return next_ >= packages_.size(); }
  std::size_t submitted() const { return next_; }

  /// Jobs not final (Waiting, Blocked, Building, Done); nullopt when the
  /// controller did not answer.
  std::optional<int> Unfinished() {
    int total = 0;
    for (const char* status : {"Waiting", "Blocked", "Building", "Done"}) {
      auto r = admin().Get(std::string("/job/status/") + status);
      if (!r || r->status != 200) return Next(), std::nullopt;
      total += static_cast<int>(nlohmann::json::parse(r->body, nullptr, false).size());
    }
    return total;
  }

  /// Submits the next package; false when the controller did not take it.
  bool SubmitNext() {
    const ChaosPackage& p = packages_[next_];
    // A submission whose answer was lost may have been recorded: sending
    // it again would make a second job of the package.
    if (uncertain_) {
      auto r = admin().Get("/job?package=" + p.name);
      if (!r || r->status != 200) return Next(), false;
      uncertain_ = false;
      if (nlohmann::json::parse(r->body, nullptr, false).size() > 0) return ++next_, true;
    }
    auto r = admin().Post("/job/vcshook",
                          testing::FormBody({{"package", p.name},
                                             {"package_version", "1.0"},
                                             {"suite", farm_.options().suite},
                                             {"distribution", "Debian"},
                                             {"architecture_list", "all"},
                                             {"format", "deb"},
                                             {"method", "git"},
                                             {"uri", uri_},
                                             {"vcs_id", p.commit}}),
                          "application/x-www-form-urlencoded");
    if (r && r->status == 200) return ++next_, true;
    if (r && r->status < 500) throw std::runtime_error("submission refused: " + r->body);
    uncertain_ = true;
    Next();
    return false;
  }

 private:
  httplib::Client& admin() { return *admins_[current_]; }
  void Next() { current_ = (current_ + 1) % admins_.size(); }

  Farm& farm_;
  std::vector<std::unique_ptr<httplib::Client>> admins_;
  std::size_t current_ = 0;  ///< the controller called
  std::vector<ChaosPackage> packages_;
  std::string uri_;
  std::size_t next_ = 0;
  bool uncertain_ = false;
};

// Drives the jobs until every one is final or the deadline passes; a
// progress line on stderr every 10 s. Once a stop is requested, only the
// jobs already submitted go on.
void Drive(Submitter& submitter, Injector& injector, int window, Clock::time_point deadline) {
  const auto start = Clock::now();
  auto next_note = start + 10s, next_poll = start;
  int unfinished = 0;
  bool stopping = false;
  while (Clock::now() < deadline) {
    if (g_stop_requested && !stopping) {
      stopping = true;
      injector.Stop();
      std::fprintf(stderr, "stop requested: no more submissions or faults; %d jobs to finish\n",
                   unfinished);
    }
    if (Clock::now() >= next_poll) {
      next_poll = Clock::now() + 1s;
      if (auto n = submitter.Unfinished()) unfinished = *n;
      if (unfinished == 0 && (submitter.all_submitted() || stopping)) return;
    }
    while (!stopping && !submitter.all_submitted() && unfinished < window && submitter.SubmitNext())
      ++unfinished;
    if (!stopping) injector.Tick();
    if (Clock::now() >= next_note) {
      next_note += 10s;
      std::fprintf(stderr, "[%4.0f s] submitted %zu, unfinished %d, faults %zu\n",
                   std::chrono::duration<double>(Clock::now() - start).count(),
                   submitter.submitted(), unfinished, injector.faults().size());
    }
    std::this_thread::sleep_for(200ms);
  }
}

std::vector<std::string> LeftBehind(const std::string& tag) {
  const std::string dir = std::string(CBIT_BINARY_DIR) + "/test-tmp/";
  std::vector<std::string> left;
  // Stopped servers' helpers (PostgreSQL's watch script) take a second to go.
  for (int i = 0; i < 20; ++i) {
    left = ProcessesMatching(dir, tag);
    if (left.empty()) break;
    std::this_thread::sleep_for(500ms);
  }
  return left;
}

// What a failed run needs to be understood from its output alone (CI keeps
// nothing else): each troubled job's history, the faults' times, and the
// log lines of every part that name the job's package.
void Explain(const Findings& f, const Farm& farm, const std::vector<Fault>& faults,
             std::int64_t start_us) {
  constexpr std::int64_t kNear = 30'000'000;  // faults this close to a job's statuses
  for (const auto& t : f.troubled) {
    std::printf("job %lld (%s), history:\n", static_cast<long long>(t.id), t.package.c_str());
    for (const auto& h : t.history) std::printf("    %s\n", h.c_str());
    std::printf("  faults near it:");
    for (const auto& fault : faults)
      if (fault.begin_us >= t.first_us - kNear && fault.begin_us <= t.last_us + kNear)
        std::printf(" %s %s;", SinceStart(fault.begin_us, start_us).c_str(), NameOf(fault.kind));
    const std::string job = "job " + std::to_string(t.id);
    std::printf("\n  log lines naming %s or %s:\n", t.package.c_str(), job.c_str());
    for (const auto& line :
         farm.LogLinesWith({t.package + "_", t.package + " ", job + ":", job + " "}, 80))
      std::printf("    %s\n", line.c_str());
  }
  std::fflush(stdout);
}

int Report(const RunOptions& o, std::size_t submitted, const Findings& f,
           const std::vector<Fault>& faults, const std::vector<std::string>& left,
           const std::string& injector_error, double seconds) {
  std::map<std::string, int> by_kind;
  for (FaultKind k : kFaultKinds) by_kind[NameOf(k)] = 0;
  for (const auto& fault : faults) ++by_kind[NameOf(fault.kind)];
  std::printf("jobs %d (packages submitted %zu of %d): uploaded %d, failed %d, cancelled %d\n",
              f.jobs, submitted, o.jobs, f.uploaded, f.failed, f.cancelled);
  std::printf("faults %zu:", faults.size());
  for (const auto& [kind, n] : by_kind) std::printf(" %s %d", kind.c_str(), n);
  std::printf("\nlost %d, duplicated %d, stuck %d, missing pool files %d, processes left %zu\n",
              f.lost, f.duplicated, f.stuck, f.missing_files, left.size());
  double longest = 0;
  std::printf("recovery (longest, s):");
  for (const auto& [kind, s] : f.recovery_seconds) {
    std::printf(" %s %.1f", kind.c_str(), s);
    longest = std::max(longest, s);
  }
  std::printf("\nlongest recovery %.1f s; longest job %.1f s; run %.0f s\n", longest,
              f.longest_job_seconds, seconds);
  std::vector<std::string> problems = f.problems;
  for (const auto& p : left) problems.push_back("left behind: " + p);
  if (!injector_error.empty()) problems.push_back("fault injector: " + injector_error);
  for (std::size_t i = 0; i < problems.size() && i < 30; ++i)
    std::printf("  %s\n", problems[i].c_str());
  if (g_stop_requested)
    std::printf("stopped by a signal after %zu of %d submissions\n", submitted, o.jobs);
  else if (submitted < static_cast<std::size_t>(o.jobs))
    problems.push_back("only " + std::to_string(submitted) + " of " + std::to_string(o.jobs) +
                       " packages submitted within the bound");
  bool ok = problems.empty();
  std::printf("%s\n", ok ? "PASS" : "FAIL");
  return ok ? 0 : 1;
}

std::vector<FaultKind> Kinds(const RunOptions& o) {
  std::vector<FaultKind> kinds;
  if (!o.faults) return kinds;
  for (FaultKind k : kFaultKinds)
    if (k != FaultKind::kDatabase || o.backend == "postgres") kinds.push_back(k);
  return kinds;
}

}  // namespace

int RunChaos(const RunOptions& o) {
  const auto start = Clock::now();
  const std::int64_t start_us = NowMicros();
  const std::string root = testing::ProgramScratchDir("chaos");
  std::printf(
      "cbit-chaos: seed %llu, backend %s, %d controller%s, %s, %d jobs, %d clients, lease %d s, "
      "bound %d s\n",
      static_cast<unsigned long long>(o.seed), o.backend.c_str(), o.controllers,
      o.controllers > 1 ? "s" : "",
      o.rabbit_cluster ? "3 RabbitMQ nodes (quorum queues)" : "1 RabbitMQ node", o.jobs, o.clients,
      o.lease_seconds, o.duration_seconds);
  std::fflush(stdout);
  StopOnSignals();
  auto packages = MakePackageRepository(root + "/src", o.jobs, "chaos");
  Farm farm({.root = root,
             .backend = o.backend,
             .clients = o.clients,
             .lease_seconds = o.lease_seconds,
             .broker_nodes = o.rabbit_cluster ? 3 : 1,
             .controllers = o.controllers});
  farm.Start();
  Injector injector(farm, {.seed = o.seed,
                           .min_gap_seconds = o.min_gap_seconds,
                           .max_gap_seconds = o.max_gap_seconds,
                           .kinds = Kinds(o)});
  std::vector<std::string> names;
  names.reserve(packages.size());
  for (const auto& p : packages) names.push_back(p.name);
  Submitter submitter(farm, std::move(packages), root + "/src");
  std::fprintf(stderr, "farm up after %.0f s\n",
               std::chrono::duration<double>(Clock::now() - start).count());
  Drive(submitter, injector, 2 * o.clients + 2, start + std::chrono::seconds(o.duration_seconds));
  injector.Stop();
  farm.Stop();
  Findings findings =
      CheckRun(farm.OpenDatabase(), "chaos",
               {names.begin(), names.begin() + static_cast<std::ptrdiff_t>(submitter.submitted())},
               farm.repository(), injector.faults(), start_us);
  farm.StopDatabase();
  auto left = LeftBehind("-" + std::to_string(::getpid()) + "-");
  double seconds = std::chrono::duration<double>(Clock::now() - start).count();
  int rc = Report(o, submitter.submitted(), findings, injector.faults(), left, injector.error(),
                  seconds);
  Explain(findings, farm, injector.faults(), start_us);
  testing::SetProgramScratchOutcome(rc != 0);
  return rc;
}

}  // namespace cbit::chaos
