// Fakes of the watcher's seams for unit tests: a controller that records
// calls and can be made unreachable, and a runner that answers from a script.
#pragma once

#include <functional>
#include <map>
#include <string>
#include <vector>

#include "watcher/controller_api.h"
#include "watcher/reprepro.h"

namespace cbit::watcher {

class FakeControllerApi final : public ControllerApi {
 public:
  /// Job ids by "package version arch status".
  std::map<std::string, std::vector<Id>> jobs;
  std::map<Id, LogEnd> log_ends;
  /// Every call, as "Find …", "LogEnd 7", "Append 7 1 120", "Status 7 Uploaded".
  std::vector<std::string> calls;
  std::map<Id, std::string> appended;
  /// When set, every call throws ApiError with this status (0: unreachable).
  std::optional<int> fail_with;
  /// Every call made, including those fail_with refused.
  int tried = 0;
  /// Called as AppendLog is, before it records anything.
  std::function<void()> on_append;

  static std::string Key(const std::string& p, const std::string& v, const std::string& a,
                         const std::string& s) {
    return p + " " + v + " " + a + " " + s;
  }
  /// Called after each FindJobs has answered (a job may move meanwhile).
  std::function<void()> after_find;

  std::vector<Id> FindJobs(const std::string& p, const std::string& v, const std::string& a,
                           const std::string& s) override {
    Call("Find " + Key(p, v, a, s));
    struct After {
      std::function<void()>& f;
      ~After() {
        if (f) f();
      }
    } after{after_find};
    auto it = jobs.find(Key(p, v, a, s));
    return it == jobs.end() ? std::vector<Id>{} : it->second;
  }
  LogEnd LogEndOf(Id job) override {
    Call("LogEnd " + std::to_string(job));
    return log_ends.count(job) ? log_ends[job] : LogEnd{1, 0};
  }
  void AppendLog(Id job, int attempt, std::int64_t offset, const std::string& text) override {
    if (on_append) on_append();
    Call("Append " + std::to_string(job) + " " + std::to_string(attempt) + " " +
         std::to_string(offset));
    appended[job] += text;
  }
  void ReportStatus(Id job, const std::string& status) override {
    Call("Status " + std::to_string(job) + " " + status);
  }

 private:
  void Call(const std::string& c) {
    ++tried;
    if (fail_with) throw ApiError(*fail_with, "fake: " + c);
    calls.push_back(c);
  }
};

class FakeRunner final : public CommandRunner {
 public:
  std::vector<std::vector<std::string>> argvs;
  /// When unset, every command succeeds with no output.
  std::function<CommandResult(const Command&)> respond;
  CommandResult Run(const Command& cmd) override {
    argvs.push_back(cmd.argv);
    if (respond) return respond(cmd);
    CommandResult r;
    r.exit_code = 0;
    return r;
  }
};

}  // namespace cbit::watcher
