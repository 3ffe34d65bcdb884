// The watcher's loop: inotify on every incoming directory for .changes files
// written (IN_CLOSE_WRITE) or moved in (IN_MOVED_TO), debounced by sleeptime;
// then, per rule, one `reprepro processincoming` per waiting upload (named),
// checked against what the repository publishes before and after, and each
// upload's outcome handed to the Reporter (docs/design.md, "The watcher").
#pragma once

#include <atomic>
#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "core/changes_file.h"
#include "util/unique_fd.h"
#include "watcher/config.h"
#include "watcher/controller_api.h"
#include "watcher/debounce.h"
#include "watcher/reporter.h"
#include "watcher/reprepro.h"
#include "watcher/spool.h"

namespace cbit::watcher {

class Watcher {
 public:
  using Clock = std::chrono::steady_clock;

  /// Throws std::runtime_error when config.spool_dir cannot be created.
  Watcher(const WatcherConfig& config, CommandRunner& runner, ControllerApi& api,
          Reporter::Options report_options = {});

  /// Processes what waits in rule `i`'s incoming directory now: a
  /// processincoming run per upload, its verdicts queued in reporter() (sent by its
  /// Flush). Returns
  /// false when the repository could not be queried (try again later).
  bool ProcessRule(std::size_t i, Clock::time_point now);

  /// Watches until `stop` is set: the reports an earlier run left in the
  /// spool are sent first, then everything already waiting is processed.
  /// Throws std::runtime_error when a directory cannot be watched.
  void Run(const std::atomic<bool>& stop);

  Reporter& reporter() { return reporter_; }

 private:
  /// A waiting upload, parsed.
  struct Upload {
    std::string name;  ///< file name in the incoming directory
    ChangesFile changes;
    std::vector<std::string> codenames;
  };
  /// One processincoming run, with what the repository held before and after.
  struct IncomingRun {
    std::vector<Published> before, after;
    std::string argv;     ///< as logged
    std::string summary;  ///< "exit N" or "timed out"
    CommandResult result;
  };
  /// The inotify descriptor and, by watch descriptor, the rule it watches.
  struct Inotify {
    UniqueFd fd;
    std::map<int, std::size_t> rule_of;
  };

  // ProcessRule's steps.
  static std::vector<Published> Snapshot(Repository& repo, const Upload& upload);
  void LogDryRun(const Rule& rule, const Repository& repo, const std::vector<std::string>& names);
  /// The uploads reprepro can be asked about; the others are moved aside.
  std::vector<Upload> ParseUploads(const Rule& rule, Repository& repo,
                                   const std::vector<std::string>& names);
  /// Runs reprepro on this one upload; nullopt when the repository cannot
  /// be queried beforehand (nothing run).
  std::optional<IncomingRun> RunIncoming(const Rule& rule, Repository& repo, const Upload& upload);
  /// Judges one upload, moves it aside if it was left, queues its report.
  void Report(const Rule& rule, const Upload& u, const IncomingRun& run, Clock::time_point now);

  // Run's steps.
  /// Throws std::runtime_error when a directory cannot be watched.
  Inotify WatchIncoming() const;
  /// Sleeps until an event or the next deadline, and touches the debouncer
  /// of each rule whose directory got a .changes.
  void AwaitEvents(const Inotify& in);
  /// Processes each rule whose debounce delay has passed.
  void ProcessDue(Clock::time_point now);

  // In-run marks (running.cc): a link to each .changes in
  // <incoming>/.running while reprepro runs on it, until its verdict is
  // spooled, so that a watcher killed in between judges it at its next start
  // (reprepro has removed the .changes from incoming by then).
  void MarkRunning(const Rule& rule, const std::string& name);
  void ClearRunning(const Rule& rule, const std::string& name);
  /// Judges (from what the repository holds now) each upload a killed run
  /// left marked and that is gone from incoming, and queues its report; a
  /// marked upload still in incoming keeps its mark for its own run. False
  /// when the repository could not be queried (the marks stay; try later).
  bool RecoverInterrupted(const Rule& rule, Clock::time_point now);

  /// Removes what reprepro left in incoming of an upload it skipped because
  /// the repository holds its very files (the .buildinfo, say).
  void RemoveLeftovers(const Rule& rule, const ChangesFile& changes);

  /// Moves a refused .changes, and those of its files still there, into the
  /// failed directory so it is not processed again.
  void MoveAside(const Rule& rule, const std::string& changes,
                 const std::vector<std::string>& files);

  const WatcherConfig& config_;
  CommandRunner& runner_;
  std::unique_ptr<Spool> spool_;  ///< null without config_.spool_dir
  Reporter reporter_;
  std::vector<Debouncer> debouncers_;
  /// dryrun runs nothing, so nothing leaves incoming: each .changes is logged
  /// once per (path, mtime).
  std::set<std::pair<std::string, std::int64_t>> dry_seen_;
};

}  // namespace cbit::watcher
