// The watcher's in-run marks (watcher.h): what a watcher killed between
// reprepro's run and the spooling of the verdict leaves, and its recovery.
#include <spdlog/spdlog.h>

#include <filesystem>

#include "watcher/pool_check.h"
#include "watcher/verdict.h"
#include "watcher/watcher.h"

namespace cbit::watcher {
namespace {

namespace fs = std::filesystem;

fs::path RunningDir(const Rule& rule) { return fs::path(rule.incoming) / ".running"; }

}  // namespace

void Watcher::MarkRunning(const Rule& rule, const std::string& name) {
  if (!spool_) return;  // without a spool, reports do not survive a kill anyway
  std::error_code ec;
  fs::create_directories(RunningDir(rule), ec);
  fs::remove(RunningDir(rule) / name, ec);
  fs::create_hard_link(fs::path(rule.incoming) / name, RunningDir(rule) / name, ec);
  if (ec)
    spdlog::error("{}: cannot mark it in {}: {}", name, RunningDir(rule).string(), ec.message());
}

void Watcher::ClearRunning(const Rule& rule, const std::string& name) {
  std::error_code ec;
  fs::remove(RunningDir(rule) / name, ec);
}

bool Watcher::RecoverInterrupted(const Rule& rule, Clock::time_point now) {
  std::error_code ec;
  bool all_judged = true;
  for (const auto& e : fs::directory_iterator(RunningDir(rule), ec)) {
    const std::string name = e.path().filename().string();
    // Its verdict was spooled: nothing to judge.
    if (reporter_.Holds(name)) {
      ClearRunning(rule, name);
      continue;
    }
    // Still waiting in incoming: its own run judges it (and, if a killed
    // watcher's reprepro takes it first, the mark brings it back here).
    if (fs::exists(fs::path(rule.incoming) / name)) continue;
    auto changes = ReadChanges(e.path().string());
    if (!changes) {
      ClearRunning(rule, name);
      continue;
    }
    Repository repo(runner_, rule.repobase, config_.reprepro_timeout);
    std::vector<Published> now_held;
    try {
      for (const std::string& c : repo.Codenames(rule.rule, changes->distribution)) {
        auto part = repo.ListSource(c, changes->source);
        now_held.insert(now_held.end(), part.begin(), part.end());
      }
    } catch (const std::exception& err) {
      // Typically a killed watcher's reprepro still holding the lock.
      spdlog::warn("{}: cannot judge {} yet: {}", rule.repobase, name, err.what());
      all_judged = false;
      continue;
    }
    // Published only if the pool holds its very files, as for a repeat.
    Verdict v = Judge(*changes, now_held, now_held, false,
                      [&] { return CompareWithPool(*changes, now_held); });
    spdlog::warn("{}: an earlier watcher stopped while reprepro ran on it; judged now: {}", name,
                 v.message);
    reporter_.Add({name, changes->source, changes->version, JobArchOf(name), v.published,
                   "\n[cbit-watcher] " + name +
                       ": the watcher stopped while reprepro ran on it; judged at its restart: " +
                       v.message + "\n"},
                  now);
    ClearRunning(rule, name);
  }
  return all_judged;
}

}  // namespace cbit::watcher
