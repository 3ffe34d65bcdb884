// cbit watch [JOB…|--all]: status changes as they happen.
#include "cli/app.h"
#include "cli/events.h"
#include "cli/job_view.h"

namespace cbit::cli {
namespace {

struct WatchOptions {
  std::vector<std::int64_t> jobs;
  bool all = false;
  int poll_ms = 1000;
};

ExitCode Watch(Context& ctx, const WatchOptions& o) {
  if (o.all == !o.jobs.empty()) throw CliError(ExitCode::kUsage, "watch: give job ids or --all");
  auto stream = ControllerEvents(ctx, o.jobs, std::chrono::milliseconds(o.poll_ms));
  std::map<std::int64_t, std::string> last;
  Style st = ctx.style();
  for (;;) {
    for (const auto& e : stream->Next()) {
      last[e.job] = e.status;
      std::string when = e.time.empty() ? "" : ShowTime(e.time, ctx.io.now(), st) + "  ";
      ctx.io.out << when << "job " << e.job << ": " << ColourStatus(e.status, st) << "\n"
                 << std::flush;
    }
    if (o.all) continue;
    bool done = true, bad = false;
    for (auto id : o.jobs) {
      done = done && IsFinished(last[id]);
      bad = bad || IsBad(last[id]);
    }
    if (done) return bad ? ExitCode::kFailed : ExitCode::kOk;
  }
}

}  // namespace

void AddWatchCommand(CLI::App& app, Context& ctx) {
  auto o = std::make_shared<WatchOptions>();
  CLI::App* watch = app.add_subcommand(
      "watch",
      "print jobs' status changes as they happen (the controller's event stream, resumed "
      "after a dropped connection): the given jobs until each has finished (exit 1 when any "
      "failed or was cancelled), or --all until interrupted");
  watch->add_option("JOB", o->jobs, "job ids")->check(CLI::PositiveNumber);
  watch->add_flag("--all", o->all, "every job");
  watch
      ->add_option("--poll-ms", o->poll_ms,
                   "milliseconds between looks at a controller without an event stream "
                   "(default 1000)")
      ->check(CLI::Range(50, 60000));
  watch->callback([&ctx, o] { ctx.action = [&ctx, o] { return Watch(ctx, *o); }; });
}

}  // namespace cbit::cli
