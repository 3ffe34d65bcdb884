// cbit cancel, retry and clients.
#include "cli/app.h"
#include "cli/job_view.h"

namespace cbit::cli {
namespace {

struct CancelOptions {
  std::vector<long long> jobs;
  std::string package;
  bool all = false;
};

// Each job in turn; one that cannot be cancelled (finished: 409, unknown:
// 404) is reported and the others still are. The worst status is answered.
ExitCode CancelJobs(Context& ctx, const std::vector<long long>& jobs) {
  ExitCode worst = ExitCode::kOk;
  for (long long id : jobs) {
    try {
      std::string path = "/job/" + std::to_string(id) + "/cancel";
      auto j = ParseAnswer(ctx.controller().Get(path), "GET " + path);
      ctx.io.out << "job " << id << ": " << j.value("result", std::string("?")) << "\n";
    } catch (const CliError& e) {
      if (e.code == ExitCode::kUnreachable || e.code == ExitCode::kNotAuthorized) throw;
      ctx.io.err << "cbit: " << e.what() << "\n";
      worst = std::max(worst, e.code);
    }
  }
  return worst;
}

ExitCode Cancel(Context& ctx, const CancelOptions& o) {
  int ways = !o.jobs.empty() + !o.package.empty() + o.all;
  if (ways != 1) throw CliError(ExitCode::kUsage, "cancel: give job ids, --package NAME or --all");
  if (!o.jobs.empty()) return CancelJobs(ctx, o.jobs);
  Controller& c = ctx.controller();
  long long n = 0;
  if (o.all) {
    n = ParseAnswer(c.Get("/job/cancelall"), "GET /job/cancelall").value("cancelled", 0LL);
  } else {
    std::string path = "/package/details/" + Escape(o.package);
    auto rows = ParseAnswer(c.Get(path), "GET " + path);
    if (!rows.is_array() || rows.empty())
      throw CliError(ExitCode::kNotFound, "no package named '" + o.package + "'");
    for (const auto& p : rows) {
      std::string cancel = "/package/" + std::to_string(p.value("id", 0LL)) + "/cancel";
      n += ParseAnswer(c.Get(cancel), "GET " + cancel).value("cancelled", 0LL);
    }
  }
  ctx.io.out << "cancelled " << n << " job" << (n == 1 ? "" : "s") << "\n";
  return ExitCode::kOk;
}

ExitCode Retry(Context& ctx, const std::vector<long long>& jobs) {
  for (long long id : jobs) {
    std::string path = "/job/" + std::to_string(id) + "/retry";
    std::string body = ctx.controller().Get(path);
    auto j = ParseAnswer(body, "GET " + path);
    if (ctx.json) {
      ctx.io.out << body << "\n";
      continue;
    }
    for (const auto& n : j.value("jobs", nlohmann::json::array())) {
      if (ctx.quiet)
        ctx.io.out << n << "\n";
      else
        ctx.io.out << "job " << id << ": retried as job " << n << "\n";
    }
  }
  return ExitCode::kOk;
}

// Each client's object from GET /buildd/heartbeats, with the jobs it holds
// Building (GET /job?client=&status=Building, one request per client).
ExitCode Clients(Context& ctx) {
  Controller& c = ctx.controller();
  std::string body = c.Get("/buildd/heartbeats");
  if (ctx.json) {
    ctx.io.out << body << "\n";
    return ExitCode::kOk;
  }
  Style st = ctx.style();
  std::vector<std::vector<std::string>> rows;
  for (const auto& b : ParseList(body, "GET /buildd/heartbeats")) {
    std::string name = b.value("name", std::string());
    if (ctx.quiet) {
      ctx.io.out << name << "\n";
      continue;
    }
    std::string path = "/job?status=Building&client=" + Escape(name);
    std::string jobs;
    for (const auto& j : ParseAnswer(c.Get(path), "GET " + path))
      jobs += (jobs.empty() ? "" : ",") + std::to_string(JobRowOf(j).id);
    bool active = b.value("active", false);
    std::string state = active ? (jobs.empty() ? "idle" : "building") : "silent";
    if (st.colour) state = (active ? "\033[32m" : "\033[90m") + state + "\033[0m";
    std::string heard = b.contains("last_heard") && b["last_heard"].is_string()
                            ? ShowTime(b["last_heard"].get<std::string>(), ctx.io.now(), st)
                            : "-";
    rows.push_back({name, state, heard, jobs.empty() ? "-" : jobs});
  }
  if (!ctx.quiet) ctx.io.out << RenderTable({"CLIENT", "STATE", "LAST HEARD", "JOB"}, rows, st);
  return ExitCode::kOk;
}

}  // namespace

void AddCancelRetryCommands(CLI::App& app, Context& ctx) {
  auto o = std::make_shared<CancelOptions>();
  CLI::App* cancel = app.add_subcommand("cancel", "cancel jobs (admin)");
  cancel->add_option("JOB", o->jobs, "job ids")->check(CLI::PositiveNumber);
  cancel->add_option("--package", o->package, "every unfinished job of this package");
  cancel->add_flag("--all", o->all, "every Waiting, Blocked or Building job");
  cancel->callback([&ctx, o] { ctx.action = [&ctx, o] { return Cancel(ctx, *o); }; });
  auto jobs = std::make_shared<std::vector<long long>>();
  CLI::App* retry =
      app.add_subcommand("retry", "build a finished job's package again, as a new job (admin)");
  retry->add_option("JOB", *jobs, "job ids")->required()->check(CLI::PositiveNumber);
  retry->callback([&ctx, jobs] { ctx.action = [&ctx, jobs] { return Retry(ctx, *jobs); }; });
  CLI::App* clients =
      app.add_subcommand("clients", "build clients: heard from lately or not, the job they build");
  clients->callback([&ctx] { ctx.action = [&ctx] { return Clients(ctx); }; });
}

}  // namespace cbit::cli
