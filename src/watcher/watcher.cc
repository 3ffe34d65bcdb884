#include "watcher/watcher.h"

#include <poll.h>
#include <spdlog/spdlog.h>
#include <sys/inotify.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <map>
#include <stdexcept>

#include "core/changes_file.h"
#include "core/debian.h"
#include "util/notify.h"
#include "watcher/pool_check.h"
#include "watcher/verdict.h"

namespace cbit::watcher {
namespace {

namespace fs = std::filesystem;

std::vector<std::string> WaitingChanges(const std::string& dir) {
  std::vector<std::string> out;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(dir, ec)) {
    std::string name = e.path().filename().string();
    if (name.ends_with(".changes") && name.front() != '.' && e.is_regular_file(ec)) {
      out.push_back(name);
    }
  }
  std::sort(out.begin(), out.end());
  return out;
}

Reporter::Options WithMaxDelay(Reporter::Options o, const WatcherConfig& c) {
  o.max_delay = c.retry_max;
  return o;
}

}  // namespace

Watcher::Watcher(const WatcherConfig& config, CommandRunner& runner, ControllerApi& api,
                 Reporter::Options report_options)
    : config_(config),
      runner_(runner),
      spool_(config.spool_dir.empty() ? nullptr : std::make_unique<Spool>(config.spool_dir)),
      reporter_(api, WithMaxDelay(report_options, config), spool_.get()) {
  for (std::size_t i = 0; i < config.rules.size(); ++i) debouncers_.emplace_back(config.sleeptime);
}

void Watcher::MoveAside(const Rule& rule, const std::string& changes,
                        const std::vector<std::string>& files) {
  fs::path dir = fs::path(rule.incoming) / config_.failed_dir;
  std::error_code ec;
  fs::create_directories(dir, ec);
  std::vector<std::string> all = files;
  all.push_back(changes);
  for (const std::string& f : all) {
    fs::path from = fs::path(rule.incoming) / f;
    if (!fs::exists(from, ec)) continue;
    fs::rename(from, dir / f, ec);
    if (ec) spdlog::error("cannot move {} to {}: {}", from.string(), dir.string(), ec.message());
  }
  spdlog::warn("{}: moved to {}", changes, dir.string());
}

void Watcher::RemoveLeftovers(const Rule& rule, const ChangesFile& changes) {
  for (const std::string& f : changes.files) {
    fs::path p = fs::path(rule.incoming) / f;
    auto sum = changes.sha256.find(f);
    std::error_code ec;
    // Only the upload's own bytes: a later upload may bring a file of that name.
    if (sum == changes.sha256.end() || !fs::is_regular_file(p, ec) ||
        FileSha256(p.string()) != sum->second)
      continue;
    fs::remove(p, ec);
    if (ec) spdlog::error("cannot remove {}: {}", p.string(), ec.message());
  }
}

bool Watcher::ProcessRule(std::size_t i, Clock::time_point now) {
  const Rule& rule = config_.rules[i];
  // First what a killed watcher's reprepro took out of incoming: that run
  // may still be going (reprepro runs in its own process group and outlives
  // a kill -9 of the watcher), so a mark stays until it can be judged.
  if (!config_.dryrun && !RecoverInterrupted(rule, now)) return false;
  std::vector<std::string> names = WaitingChanges(rule.incoming);
  if (names.empty()) return true;
  Repository repo(runner_, rule.repobase, config_.reprepro_timeout);
  if (config_.dryrun) {
    LogDryRun(rule, repo, names);
    return true;
  }
  // One reprepro run per upload, naming it: without a name reprepro takes
  // every .changes in the directory, also one that arrived after the
  // listing, which would then be published but never judged nor reported.
  for (const Upload& u : ParseUploads(rule, repo, names)) {
    MarkRunning(rule, u.name);
    std::optional<IncomingRun> run = RunIncoming(rule, repo, u);
    // Not run (the repository is busy or cannot be queried): the mark stays,
    // so that the upload is judged even if another reprepro takes it.
    if (!run) return false;
    Report(rule, u, *run, now);
    ClearRunning(rule, u.name);
  }
  return true;
}

// Everything the repository holds of the upload's source in its codenames.
std::vector<Published> Watcher::Snapshot(Repository& repo, const Upload& upload) {
  std::vector<Published> out;
  for (const std::string& c : upload.codenames) {
    auto part = repo.ListSource(c, upload.changes.source);
    out.insert(out.end(), part.begin(), part.end());
  }
  return out;
}

void Watcher::LogDryRun(const Rule& rule, const Repository& repo,
                        const std::vector<std::string>& names) {
  for (const std::string& n : names) {
    std::error_code ec;
    auto mtime = fs::last_write_time(fs::path(rule.incoming) / n, ec);
    if (!dry_seen_.emplace(rule.incoming + "/" + n, mtime.time_since_epoch().count()).second)
      continue;
    spdlog::info("[dry-run] {} waits; $ {}", n,
                 DescribeArgv(repo.ProcessIncomingArgv(rule.rule, n)));
  }
}

std::vector<Watcher::Upload> Watcher::ParseUploads(const Rule& rule, Repository& repo,
                                                   const std::vector<std::string>& names) {
  // One reprepro cannot make sense of (or whose names could not be put in a
  // query) is moved aside and reported Failed.
  std::vector<Upload> uploads;
  for (const std::string& n : names) {
    auto changes = ReadChanges(rule.incoming + "/" + n);
    if (changes && debian::IsPackageName(changes->source) && debian::IsVersion(changes->version)) {
      uploads.push_back({n, std::move(*changes), {}});
      uploads.back().codenames = repo.Codenames(rule.rule, uploads.back().changes.distribution);
      continue;
    }
    spdlog::error("{}: not a .changes file the watcher can check", n);
    MoveAside(rule, n, changes ? changes->files : std::vector<std::string>{});
  }
  return uploads;
}

std::optional<Watcher::IncomingRun> Watcher::RunIncoming(const Rule& rule, Repository& repo,
                                                         const Upload& upload) {
  IncomingRun run;
  try {
    run.before = Snapshot(repo, upload);
  } catch (const std::exception& e) {
    spdlog::error("{}: cannot query the repository: {}", rule.repobase, e.what());
    return std::nullopt;
  }
  run.argv = DescribeArgv(repo.ProcessIncomingArgv(rule.rule, upload.name));
  spdlog::info("$ {}", run.argv);
  run.result = repo.ProcessIncoming(rule.rule, upload.name);
  if (IsLocked(run.result)) {
    // Another reprepro holds the repository: it refused nothing, try later.
    spdlog::warn("{}: the repository is locked by another reprepro; {} waits", rule.repobase,
                 upload.name);
    return std::nullopt;
  }
  run.summary = run.result.timed_out ? "timed out" : "exit " + std::to_string(run.result.exit_code);
  spdlog::info("reprepro {}{}{}", run.summary, run.result.output.empty() ? "" : ":\n",
               run.result.output);
  try {
    run.after = Snapshot(repo, upload);
  } catch (const std::exception& e) {
    // Without the state afterwards nothing can be judged; the uploads that
    // reprepro took are gone from incoming and would be lost to the report,
    // so judge them as not published rather than guess.
    spdlog::error("{}: cannot query the repository: {}", rule.repobase, e.what());
  }
  return run;
}

void Watcher::Report(const Rule& rule, const Upload& u, const IncomingRun& run,
                     Clock::time_point now) {
  bool left = fs::exists(fs::path(rule.incoming) / u.name);
  Verdict v = Judge(u.changes, run.before, run.after, left,
                    [&] { return CompareWithPool(u.changes, run.before); });
  if (v.published) {
    spdlog::info("{}: {}", u.name, v.message);
  } else {
    spdlog::warn("{}: {}", u.name, v.message);
  }
  if (left) MoveAside(rule, u.name, u.changes.files);
  if (v.repeated) RemoveLeftovers(rule, u.changes);
  std::string log =
      "\n[cbit-watcher] $ " + run.argv + " (" + run.summary + ")\n" + run.result.output;
  if (!log.ends_with('\n')) log += '\n';
  log += "[cbit-watcher] " + u.name + ": " + v.message + "\n";
  reporter_.Add(
      {u.name, u.changes.source, u.changes.version, JobArchOf(u.name), v.published, std::move(log)},
      now);
}

Watcher::Inotify Watcher::WatchIncoming() const {
  Inotify in{UniqueFd(inotify_init1(IN_NONBLOCK | IN_CLOEXEC)), {}};
  if (!in.fd) throw std::runtime_error("inotify_init1 failed");
  for (std::size_t i = 0; i < config_.rules.size(); ++i) {
    const Rule& rule = config_.rules[i];
    int wd = inotify_add_watch(in.fd.get(), rule.incoming.c_str(), IN_CLOSE_WRITE | IN_MOVED_TO);
    if (wd < 0) {
      throw std::runtime_error("cannot watch " + rule.incoming + ": " + std::strerror(errno));
    }
    in.rule_of[wd] = i;
    spdlog::info("watching {} → reprepro -b {} processincoming {}", rule.incoming, rule.repobase,
                 rule.rule);
  }
  return in;
}

void Watcher::AwaitEvents(const Inotify& in) {
  // Sleep until the next debounce deadline or report retry, at most 200 ms
  // so a stop request is seen promptly.
  auto now = Clock::now();
  auto wake = now + std::chrono::milliseconds(200);
  for (const Debouncer& d : debouncers_)
    if (auto t = d.Deadline(); t && *t < wake) wake = *t;
  if (auto t = reporter_.NextDue(); t && *t < wake) wake = *t;
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(wake - now).count();
  pollfd p{in.fd.get(), POLLIN, 0};
  poll(&p, 1, static_cast<int>(std::max<std::int64_t>(ms, 0)));

  alignas(inotify_event) char buf[64 * 1024];
  for (ssize_t n; (n = read(in.fd.get(), buf, sizeof buf)) > 0;) {
    for (char* e = buf; e < buf + n;) {
      auto* ev = reinterpret_cast<inotify_event*>(e);
      std::string name = ev->len ? ev->name : "";
      auto rule = in.rule_of.find(ev->wd);
      if (name.ends_with(".changes") && rule != in.rule_of.end()) {
        debouncers_[rule->second].Touch(Clock::now());
      }
      e += sizeof(inotify_event) + ev->len;
    }
  }
}

void Watcher::ProcessDue(Clock::time_point now) {
  for (std::size_t i = 0; i < debouncers_.size(); ++i) {
    if (!debouncers_[i].Due(now)) continue;
    debouncers_[i].Done();
    if (!ProcessRule(i, now)) debouncers_[i].Touch(Clock::now());
  }
}

void Watcher::Run(const std::atomic<bool>& stop) {
  const Inotify in = WatchIncoming();
  // Uploads from now on are seen: what follows is catching up.
  notify::Ready();
  // Reports an earlier run could not deliver go first, in their order.
  reporter_.Resume(Clock::now());
  reporter_.Flush(Clock::now());
  // What waits already was uploaded while no watcher ran, and what a killed
  // one left marked: act on it now.
  for (std::size_t i = 0; i < config_.rules.size(); ++i) {
    if (!ProcessRule(i, Clock::now())) debouncers_[i].Touch(Clock::now());
  }
  reporter_.Flush(Clock::now());
  while (!stop) {
    AwaitEvents(in);
    ProcessDue(Clock::now());
    reporter_.Flush(Clock::now());
  }
  notify::Stopping();
  if (reporter_.pending() > 0 && spool_) {
    spdlog::warn("stopping with {} report(s) not delivered to the controller, kept in {}",
                 reporter_.pending(), spool_->dir());
  } else if (reporter_.pending() > 0) {
    spdlog::warn("stopping with {} report(s) not delivered to the controller", reporter_.pending());
  }
}

}  // namespace cbit::watcher
