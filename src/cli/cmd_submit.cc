// cbit submit [SOURCE]: a source tree, a .changes or .dsc, or explicit
// fields, sent as POST /job/vcshook; --wait follows the jobs to their end.
#include "cli/app.h"
#include "cli/events.h"
#include "cli/job_view.h"
#include "cli/log_follow.h"
#include "cli/source_tree.h"
#include "cli/wait.h"

namespace cbit::cli {
namespace {

struct SubmitOptions {
  std::string source;
  hooks::HookSubmission fields;  // explicit fields; empty ones are not given
  bool wait = false;
  bool follow = false;
  int poll_ms = 1000;
};

bool EndsWith(const std::string& s, const std::string& end) {
  return s.size() >= end.size() && s.compare(s.size() - end.size(), end.size(), end) == 0;
}

hooks::HookSubmission Gather(Context& ctx, const SubmitOptions& o) {
  const auto& f = o.fields;
  hooks::HookSubmission s;
  if (EndsWith(o.source, ".changes"))
    s = FromChanges(o.source);
  else if (EndsWith(o.source, ".dsc"))
    s = FromDsc(o.source);
  else if (!o.source.empty() || f.package.empty())
    s = FromTree(o.source.empty() ? "." : o.source);
  auto over = [](std::string& field, const std::string& given) {
    if (!given.empty()) field = given;
  };
  for (auto m : {&hooks::HookSubmission::package, &hooks::HookSubmission::version,
                 &hooks::HookSubmission::suite, &hooks::HookSubmission::arch_list,
                 &hooks::HookSubmission::distribution, &hooks::HookSubmission::format,
                 &hooks::HookSubmission::method, &hooks::HookSubmission::uri,
                 &hooks::HookSubmission::vcs_id})
    over(s.*m, f.*m);
  if (s.distribution.empty()) s.distribution = ctx.settings().distribution;
  if (s.format.empty()) s.format = ctx.settings().format;
  if (s.suite.empty())
    throw CliError(ExitCode::kUsage, "no suite: a .dsc does not name one; give --suite");
  return s;
}

// Each job's log in turn, whole, each to the end of its build attempt.
void FollowLogs(Context& ctx, const std::vector<std::int64_t>& jobs) {
  for (std::int64_t id : jobs) {
    if (jobs.size() > 1) ctx.io.out << "== job " << id << "\n";
    auto source = [&ctx, id](long long offset, int attempt) {
      return ctx.controller().Log(id, offset, attempt);
    };
    FollowLog(source, {}, ctx.io.out, ctx.io.err, ctx.io.sleep);
  }
}

ExitCode Submit(Context& ctx, const SubmitOptions& o) {
  hooks::HookSubmission s = Gather(ctx, o);
  std::string body = ctx.controller().Post("/job/vcshook", s.Fields());
  auto answer = ParseAnswer(body, "POST /job/vcshook");
  std::vector<std::int64_t> jobs;
  for (const auto& id : answer.value("jobs", nlohmann::json::array()))
    jobs.push_back(id.get<std::int64_t>());
  if (ctx.json) {
    ctx.io.out << body << "\n";
  } else if (ctx.quiet) {
    for (auto id : jobs) ctx.io.out << id << "\n";
  } else {
    ctx.io.out << "submitted " << s.Describe() << ": job";
    for (auto id : jobs) ctx.io.out << " " << id;
    if (!answer.value("dispatched", true))
      ctx.io.out << " (the broker is down: the build requests go out when it is back)";
    ctx.io.out << "\n" << std::flush;
  }
  if (!o.wait && !o.follow) return ExitCode::kOk;
  if (o.follow) FollowLogs(ctx, jobs);
  auto events = ControllerEvents(ctx, jobs, std::chrono::milliseconds(o.poll_ms));
  return WaitForJobs(ctx, jobs, *events);
}

}  // namespace

void AddSubmitCommand(CLI::App& app, Context& ctx) {
  auto o = std::make_shared<SubmitOptions>();
  CLI::App* submit = app.add_subcommand(
      "submit",
      "submit a package: SOURCE is a git or svn checkout (default: the current directory; "
      "refused while it has uncommitted or unpushed changes), a .changes or a .dsc (method apt); "
      "options override what SOURCE says, or give every field with --package and no SOURCE");
  submit->add_option("SOURCE", o->source, "checkout directory, .changes or .dsc file");
  auto& f = o->fields;
  submit->add_option("--package", f.package, "source package name");
  submit->add_option("--version", f.version, "Debian version");
  submit->add_option("--suite", f.suite, "suite (default: the changelog's distribution)");
  submit->add_option("--arch", f.arch_list, "architecture_list, e.g. all,any or amd64,i386");
  submit->add_option("--dist", f.distribution, "distribution (default Debian, or the config's)");
  submit->add_option("--format", f.format, "format (default deb, or the config's)");
  submit->add_option("--method", f.method, "git, svn or apt");
  submit->add_option("--uri", f.uri, "repository URL");
  submit->add_option("--vcs-id", f.vcs_id, "revision or commit");
  submit->add_flag("-w,--wait", o->wait,
                   "follow the jobs until each is Done, Uploaded, Failed or Cancelled; exit 1 "
                   "when any failed or was cancelled");
  submit->add_flag("-f,--follow", o->follow,
                   "--wait, and show each job's build log as it is written");
  submit
      ->add_option("--poll-ms", o->poll_ms,
                   "--wait: milliseconds between looks at a controller without an event stream "
                   "(default 1000)")
      ->check(CLI::Range(50, 60000));
  submit->callback([&ctx, o] { ctx.action = [&ctx, o] { return Submit(ctx, *o); }; });
}

}  // namespace cbit::cli
