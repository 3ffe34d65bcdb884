#include "client/job_run.h"

#include <spdlog/spdlog.h>

#include <thread>

#include "client/build.h"
#include "client/fetch.h"
#include "client/isolated.h"
#include "client/job_spec.h"
#include "client/lease.h"
#include "client/provenance.h"
#include "client/upload.h"
#include "client/workdir.h"

namespace cbit::client {
using Clock = std::chrono::steady_clock;

namespace {

// Adds up the time spent inside commands, so the daemon can tell its own
// overhead from the build tools'.
class TimingRunner final : public Runner {
 public:
  explicit TimingRunner(Runner& inner) : inner_(inner) {}
  CommandResult Run(const Command& cmd, const LogSink& sink, const CancelHook& cancel) override {
    auto start = Clock::now();
    CommandResult r = inner_.Run(cmd, sink, cancel);
    spent_ += Clock::now() - start;
    return r;
  }
  bool RunsCommands() const override { return inner_.RunsCommands(); }
  std::chrono::milliseconds spent() const {
    return std::chrono::duration_cast<std::chrono::milliseconds>(spent_);
  }

 private:
  Runner& inner_;
  Clock::duration spent_{};
};

// A status report the controller must get: retried with backoff until
// `deadline`, or until `give_up` says the daemon is going away.
bool Report(const std::function<void()>& send, Id job, const std::string& status,
            Clock::time_point deadline, const std::function<bool()>& give_up) {
  auto backoff = std::chrono::milliseconds(250);
  for (;;) {
    try {
      send();
      return true;
    } catch (const ApiError& e) {
      if (!e.retryable() || Clock::now() + backoff > deadline || (give_up && give_up())) {
        spdlog::error("job {}: cannot report {}: {}", job, status, e.what());
        return false;
      }
      spdlog::warn("job {}: {} (retrying)", job, e.what());
    }
    std::this_thread::sleep_for(backoff);
    backoff = std::min(backoff * 2, std::chrono::milliseconds(5000));
  }
}

// CHECKOUT → BUILD → UPLOAD in `workdir`; the first step that fails ends it.
// Nothing is uploaded for a job whose lease was lost meanwhile: another
// client builds it again. What the build says of itself goes into
// `provenance`.
StepResult RunSteps(const JobSpec& spec, const std::string& workdir, const ClientConfig& config,
                    Runner& runner, const LogSink& sink, const CancelHook& cancel, JobLease& lease,
                    AttemptProvenance& provenance) {
  const StepLimits& limits = config.LimitsFor(spec.suite);
  FetchConfig fetch = config.fetch;
  fetch.timeout = limits.fetch;
  BuildConfig build = config.build;
  build.timeout = limits.build;
  UploadConfig upload = config.Upload();
  upload.timeout = limits.upload;
  Log(sink, "== checkout (" + spec.transport.method + ")\n");
  FetchResult fetched = Fetch(spec, workdir, fetch, runner, sink, cancel);
  if (!fetched.result.ok()) return fetched.result;
  Log(sink, "== build\n");
  if (build.kind == BuilderKind::kIsolated) PinRoot(spec, build);
  provenance = ProvenanceBeforeBuild(spec, build);
  BuildResult built = Build(spec, fetched.source_dir, build, runner, sink, cancel);
  if (runner.RunsCommands()) provenance.buildinfo = BuildinfoBeside(built.changes);
  if (!built.result.ok()) return built.result;
  if (!lease.Check()) return {Outcome::kCancelled, "lease lost: " + lease.why()};
  Log(sink, "== upload\n");
  return Upload(spec, built.changes, upload, runner, sink, cancel);
}

// A directory that cannot be made because the disk is full is the machine's
// fault like any other full disk.
StepResult NoWorkdir(const std::string& buildroot, Id id, const std::error_code& ec) {
  std::string detail = "cannot make the work directory of job " + std::to_string(id) + " in " +
                       buildroot + ": " + (ec ? ec.message() : "held by other processes");
  bool full = ec == std::errc::no_space_on_device;
  return {Outcome::kInfrastructureFailed, detail,
          full ? FailureClass::kDiskFull : FailureClass::kInfrastructure};
}

// RunSteps in a directory of its own (held while the job runs, so no sweep
// removes it), removed afterwards; one left by a client that died is stale.
StepResult RunInWorkdir(const JobSpec& spec, Id id, const ClientConfig& config, Runner& runner,
                        const LogSink& sink, const CancelHook& cancel, JobLease& lease,
                        AttemptProvenance& provenance) {
  std::error_code ec;
  std::optional<Workdir> workdir = Workdir::ForJob(config.buildroot, id, config.clientid, ec);
  if (!workdir) return NoWorkdir(config.buildroot, id, ec);
  StepResult result =
      RunSteps(spec, workdir->path(), config, runner, sink, cancel, lease, provenance);
  Log(sink, "== clean\n");
  workdir->Remove(ec);
  if (ec) Log(sink, "cannot remove " + workdir->path() + ": " + ec.message() + "\n");
  return result;
}

std::chrono::milliseconds Since(Clock::time_point t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - t);
}

// The controller gave the job to the queue again (or to another client):
// the build was interrupted, and nothing more is reported for it, log
// included; the delivery is acknowledged (the request was published again).
JobReport LeaseLost(JobReport report, LogStream& log, Id id, const JobLease& lease,
                    Clock::time_point delivered) {
  log.Close(Clock::now());
  spdlog::warn("job {}: lease lost ({}); build stopped, nothing more reported", id, lease.why());
  report.settle = Settle::kAck;
  report.outcome = Outcome::kCancelled;
  report.detail = "lease lost: " + lease.why();
  report.lease_lost = true;
  report.total = Since(delivered);
  return report;
}

// Posts the job's log; a 409 may mean the lease is lost, which a renewal
// tells for sure.
LogStream::Poster LogPoster(ControllerApi& api, Id id, JobLease& lease) {
  return
      [&api, &lease, id](std::optional<int> attempt, std::int64_t offset, const std::string& text) {
        try {
          return api.AppendLog(id, attempt, offset, text);
        } catch (const ApiError& e) {
          if (e.status == 409) lease.Poke();
          throw;
        }
      };
}

// Reports Building (or takes the job over from a silent client); false when
// the controller did not take it.
bool Claim(const JobEnvironment& env, Id id, const JobSignals& signals) {
  const ClientConfig& config = env.config;
  auto claim = [&] {
    if (env.takeover_from && *env.takeover_from != config.clientid) {
      env.api.TakeOver(id, config.clientid, *env.takeover_from);
    } else {
      env.api.ReportStatus(id, status::kBuilding, config.clientid, "");
    }
  };
  return Report(claim, id, status::kBuilding, Clock::now() + std::chrono::seconds(30),
                signals.stopping);
}

}  // namespace

JobReport RunJob(const BuildRequest& request, const JobEnvironment& env, const JobSignals& signals,
                 Clock::time_point delivered) {
  const ClientConfig& config = env.config;
  const Id id = request.job.id;
  JobReport report;
  if (!Claim(env, id, signals)) {
    report.settle = Settle::kDefer;
    report.outcome = Outcome::kInfrastructureFailed;
    report.detail = "the controller did not take the Building report";
    return report;
  }
  report.to_building = Since(delivered);
  spdlog::info("job {}: Building reported {} ms after delivery", id, report.to_building.count());

  // Renewed while the job runs.
  JobLease lease(env.api, id, config.clientid, config.lease_renew);
  LogStream log(LogPoster(env.api, id, lease), env.log);
  LogSink sink = [&log](std::string_view text) { log.Write(text); };
  JobSpec spec = JobSpecFrom(request);
  Log(sink, "cbit-client " + config.clientid + ": job " + std::to_string(id) + ", " + spec.package +
                " " + spec.version + " for " + spec.dist + "/" + spec.suite + "/" + spec.arch +
                (spec.master ? " (master)" : "") + (config.dry_run ? ", dry run" : "") + "\n");

  TimingRunner runner(env.runner);
  CancelHook cancel{[&] { return signals.cancelled() || signals.stopping() || lease.lost(); },
                    std::chrono::duration_cast<std::chrono::milliseconds>(config.cancel_grace)};
  AttemptProvenance provenance{ClientVersion(), BuilderName(config.build, spec.arch), "", "",
                               std::nullopt};
  StepResult result = RunInWorkdir(spec, id, config, runner, sink, cancel, lease, provenance);
  lease.Stop();
  if (lease.lost()) return LeaseLost(std::move(report), log, id, lease, delivered);

  report.outcome = result.outcome;
  report.detail = result.detail;
  report.failure = ClassOf(result);
  // Stopped by our own shutdown, not by a cancel: someone else builds it.
  bool handed_back = result.outcome == Outcome::kCancelled && !signals.cancelled();
  JobEnding end = EndingFor(result, handed_back, env.infra_retries_done,
                            {config.infra_retries, config.retry_base, config.retry_max});
  Log(sink, "== " + std::string(OutcomeName(result.outcome)) +
                (end.reason.empty() ? (result.detail.empty() ? "" : ": " + result.detail)
                                    : " (" + end.reason + ")") +
                " → " + end.status + "\n");
  // The log is complete before the final status: a reader who sees the job
  // finished has seen all of it.
  if (!log.Close(Clock::now() + std::chrono::seconds(30))) {
    spdlog::warn("job {}: part of the log did not reach the controller", id);
  }
  Report([&] { env.api.ReportStatus(id, end.status, config.clientid, end.reason, provenance); }, id,
         end.status, Clock::now() + std::chrono::seconds(120), {});
  report.settle = end.settle;
  report.retry_delay = end.delay;
  report.total = Since(delivered);
  report.in_tools = runner.spent();
  return report;
}

}  // namespace cbit::client
