// cbit jobs, show, history, cancel, retry, clients: reads and actions on jobs
// through the REST API (docs/protocol.md, "Jobs").
#include <map>
#include <optional>

#include "cli/app.h"
#include "cli/job_view.h"

namespace cbit::cli {
namespace {

struct JobsOptions {
  std::map<std::string, std::string> filters;  // query parameter → value
  std::string since;
  long long page = 0;
  int limit = 0;
  long long before = 0;
  bool all = false;
};

std::string Query(const std::map<std::string, std::string>& filters) {
  std::string q;
  for (const auto& [k, v] : filters)
    if (!v.empty()) q += (q.empty() ? "?" : "&") + k + "=" + Escape(v);
  return q;
}

JobRow WithStatus(Controller& c, JobRow row) {
  std::string path = "/job/" + std::to_string(row.id) + "/status";
  ApplyHistory(row, ParseAnswer(c.Get(path), path));
  return row;
}

// "90s", "30m", "2h", "7d": seconds; nullopt for anything else.
std::optional<long long> AgeSeconds(const std::string& text) {
  static const std::map<char, long long> kUnit{{'s', 1}, {'m', 60}, {'h', 3600}, {'d', 86400}};
  if (text.size() < 2 || text.size() > 8 || !kUnit.count(text.back())) return std::nullopt;
  const std::string digits = text.substr(0, text.size() - 1);
  if (digits.find_first_not_of("0123456789") != std::string::npos) return std::nullopt;
  return std::stoll(digits) * kUnit.at(text.back());
}

// The newest-first page of GET /job (limit, before, since; view=rows): one
// request, statuses included.
ExitCode NewestJobs(Context& ctx, const JobsOptions& o) {
  std::string q = Query(o.filters);
  const int limit = o.limit > 0 ? o.limit : 50;
  q += (q.empty() ? "?" : "&") + std::string("view=rows&limit=") + std::to_string(limit);
  if (o.before > 0) q += "&before=" + std::to_string(o.before);
  if (!o.since.empty()) {
    auto age = AgeSeconds(o.since);
    if (!age)
      throw CliError(ExitCode::kUsage,
                     "--since '" + o.since + "': give an age such as 90s, 30m, 2h or 7d");
    q += "&since=" + std::to_string((ctx.io.now() - *age) * 1000000);
  }
  const std::string path = "/job" + q;
  std::string body = ctx.controller().Get(path);
  if (ctx.json) {
    ctx.io.out << body << "\n";
    return ExitCode::kOk;
  }
  std::vector<JobRow> rows;
  for (const auto& j : ParseList(body, "GET " + path)) rows.push_back(JobRowOfView(j));
  if (ctx.quiet) {
    for (const auto& r : rows) ctx.io.out << r.id << "\n";
    return ExitCode::kOk;
  }
  ctx.io.out << JobTable(rows, true, ctx.io.now(), ctx.style());
  if (ctx.io.out_terminal && static_cast<int>(rows.size()) == limit)
    ctx.io.out << "older: --before " << rows.back().id << "\n";
  return ExitCode::kOk;
}

ExitCode Jobs(Context& ctx, const JobsOptions& o) {
  const bool newest = !o.since.empty() || o.limit > 0 || o.before > 0;
  if (newest && (o.all || o.page > 0))
    throw CliError(ExitCode::kUsage,
                   "--since, --limit and --before do not go with --all or --page");
  // By default the newest jobs: one keyset request, however long the table.
  if (!o.all && o.page == 0) return NewestJobs(ctx, o);
  Controller& c = ctx.controller();
  std::string q = Query(o.filters);
  long long pages = 0, page = o.page;
  std::string path = "/job" + q;
  if (!o.all) {
    pages = ParseAnswer(c.Get("/job/count" + q), "GET /job/count").get<long long>();
    path = "/job/page/" + std::to_string(page) + q;
  }
  std::string body = c.Get(path);
  if (ctx.json) {
    ctx.io.out << body << "\n";
    return ExitCode::kOk;
  }
  std::vector<JobRow> rows;
  for (const auto& j : ParseList(body, "GET " + path)) rows.push_back(JobRowOf(j));
  if (ctx.quiet) {
    for (const auto& r : rows) ctx.io.out << r.id << "\n";
    return ExitCode::kOk;
  }
  // A page's statuses are one request per job; a whole list's would be one
  // per row of the table, so --all shows them only when --status says it.
  bool with_status = !o.all || (o.filters.count("status") && !o.filters.at("status").empty());
  for (auto& r : rows) {
    if (!o.all) r = WithStatus(c, r);
    if (o.all && with_status) r.status = o.filters.at("status");
  }
  ctx.io.out << JobTable(rows, with_status, ctx.io.now(), ctx.style());
  if (!o.all && ctx.io.out_terminal && pages > 1)
    ctx.io.out << "page " << page << " of " << pages
               << " (--page N for another, --all for every job)\n";
  return ExitCode::kOk;
}

ExitCode Show(Context& ctx, long long id) {
  Controller& c = ctx.controller();
  std::string path = "/job/" + std::to_string(id);
  std::string body = c.Get(path);
  if (ctx.json) {
    ctx.io.out << body << "\n";
    return ExitCode::kOk;
  }
  JobRow r = WithStatus(c, JobRowOf(ParseAnswer(body, "GET " + path)));
  auto lease = ParseAnswer(c.Get(path + "/lease"), "GET " + path + "/lease");
  Style st = ctx.style();
  std::int64_t now = ctx.io.now();
  auto& out = ctx.io.out;
  out << "job        " << r.id << "\n"
      << "package    " << r.package << " " << r.version << "\n"
      << "target     " << r.dist << " " << r.suite << " " << r.arch << " " << r.format << "\n"
      << "status     " << ColourStatus(r.status, st) << " (" << ShowTime(r.time, now, st) << ")\n"
      << "client     " << (r.client.empty() ? "-" : r.client) << "\n"
      << "attempt    " << lease.value("attempt", 0) << "\n";
  if (lease.contains("lease_expires") && lease["lease_expires"].is_string())
    out << "lease      until " << lease["lease_expires"].get<std::string>() << "\n";
  return ExitCode::kOk;
}

ExitCode History(Context& ctx, long long id) {
  std::string path = "/job/" + std::to_string(id) + "/status";
  std::string body = ctx.controller().Get(path);
  if (ctx.json) {
    ctx.io.out << body << "\n";
    return ExitCode::kOk;
  }
  Style st = ctx.style();
  std::vector<std::vector<std::string>> rows;
  for (const auto& h : ParseList(body, "GET " + path)) {
    auto text = [&](const char* k) {
      return h.contains(k) && h[k].is_string() ? h[k].get<std::string>() : std::string("-");
    };
    rows.push_back({ShowTime(text("time"), ctx.io.now(), st), ColourStatus(text("status"), st),
                    text("buildclient"), h.contains("reason") ? text("reason") : ""});
  }
  ctx.io.out << RenderTable({"TIME", "STATUS", "CLIENT", "REASON"}, rows, st);
  return ExitCode::kOk;
}

}  // namespace

void AddCancelRetryCommands(CLI::App& app, Context& ctx);

void AddJobCommands(CLI::App& app, Context& ctx) {
  auto o = std::make_shared<JobsOptions>();
  CLI::App* jobs = app.add_subcommand(
      "jobs",
      "list jobs: the newest first (50, or --limit; --before for older "
      "ones), an API page (--page, 10 a page, oldest first) or every one (--all)");
  for (const char* f : {"status", "package", "arch", "suite", "dist", "client", "version"})
    jobs->add_option(std::string("--") + f, o->filters[f], std::string("only jobs of this ") + f);
  jobs->add_option("--since", o->since,
                   "only jobs whose current status is younger than this age (90s, 30m, 2h, 7d); "
                   "newest first");
  jobs->add_option("--limit", o->limit, "newest-first page of this many jobs (1-500; default 50)")
      ->check(CLI::Range(1, 500));
  jobs->add_option("--before", o->before, "newest-first page of the jobs older than this id")
      ->check(CLI::PositiveNumber);
  jobs->add_option("--page", o->page, "API page N (1 = oldest; pyBit's pages)")
      ->check(CLI::PositiveNumber);
  jobs->add_flag("--all", o->all,
                 "every matching job (streamed; no status column unless --status)");
  jobs->callback([&ctx, o] { ctx.action = [&ctx, o] { return Jobs(ctx, *o); }; });

  auto id = std::make_shared<long long>(0);
  CLI::App* show = app.add_subcommand("show", "a job: package, target, status, client, lease");
  show->add_option("JOB", *id, "job id")->required()->check(CLI::PositiveNumber);
  show->callback([&ctx, id] { ctx.action = [&ctx, id] { return Show(ctx, *id); }; });
  CLI::App* history = app.add_subcommand("history", "a job's status history, oldest first");
  history->add_option("JOB", *id, "job id")->required()->check(CLI::PositiveNumber);
  history->callback([&ctx, id] { ctx.action = [&ctx, id] { return History(ctx, *id); }; });
  AddCancelRetryCommands(app, ctx);
}

}  // namespace cbit::cli
