// cbit log JOB [-f] [--attempt N]: a build log, or following it live.
#include "cli/app.h"
#include "cli/job_view.h"
#include "cli/log_follow.h"

namespace cbit::cli {
namespace {

struct LogOptions {
  long long job = 0;
  bool follow = false;
  int attempt = 0;
  int give_up = 300;
};

// The job's current status (its history's last row).
std::string StatusOf(Controller& c, long long job) {
  std::string path = "/job/" + std::to_string(job) + "/status";
  JobRow row;
  ApplyHistory(row, ParseAnswer(c.Get(path), "GET " + path));
  return row.status;
}

ExitCode Log(Context& ctx, const LogOptions& o) {
  Controller& c = ctx.controller();
  if (!o.follow) {
    ctx.io.out << c.Log(o.job, 0, o.attempt).text << std::flush;
    return ExitCode::kOk;
  }
  c.Get("/job/" + std::to_string(o.job));  // an unknown job is 404 before any wait
  FollowOptions f{.attempt = o.attempt, .give_up = std::chrono::seconds(o.give_up)};
  auto source = [&c, &o](long long offset, int attempt) { return c.Log(o.job, offset, attempt); };
  FollowEnd end = FollowLog(source, f, ctx.io.out, ctx.io.err, ctx.io.sleep);
  if (!end.job_finished) {
    ctx.io.err << "cbit: attempt " << end.attempt << " ended; a new attempt began: cbit log -f "
               << o.job << "\n";
    return ExitCode::kOk;
  }
  std::string status = StatusOf(c, o.job);
  if (ctx.io.err_terminal || IsBad(status))
    ctx.io.err << "cbit: job " << o.job << " is " << status << "\n";
  return IsBad(status) ? ExitCode::kFailed : ExitCode::kOk;
}

}  // namespace

void AddLogCommand(CLI::App& app, Context& ctx) {
  auto o = std::make_shared<LogOptions>();
  CLI::App* log = app.add_subcommand(
      "log",
      "a job's build log; -f follows a running build until its attempt ends (through dropped "
      "connections and controller restarts), exit 1 when the job ended Failed or Cancelled");
  log->add_option("JOB", o->job, "job id")->required()->check(CLI::PositiveNumber);
  log->add_flag("-f,--follow", o->follow, "follow the log as the build writes it");
  log->add_option("--attempt", o->attempt, "build attempt N (default: the latest)")
      ->check(CLI::PositiveNumber);
  log->add_option("--give-up", o->give_up,
                  "-f: seconds to keep trying to reach the controller (default 300)")
      ->check(CLI::PositiveNumber);
  log->callback([&ctx, o] { ctx.action = [&ctx, o] { return Log(ctx, *o); }; });
}

}  // namespace cbit::cli
