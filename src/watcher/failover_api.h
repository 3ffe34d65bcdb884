// Several controllers (cbit-web on one database) seen as one by the
// reporter: each call goes to the controller that answered last and on to
// the next ones, in config order, while none answers or one answers 5xx.
// Every call of the watcher may be sent twice (a log append at the same
// offset is trimmed, a repeated Uploaded is answered 200), so a call whose
// answer was lost goes to the next controller too. A 4xx is the
// controller's verdict on the report: final, never asked of another one.
#pragma once

#include <chrono>
#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include "http/controller_client.h"
#include "watcher/controller_api.h"

namespace cbit::watcher {

class FailoverControllerApi final : public ControllerApi {
 public:
  /// One controller: its URL (for the log) and its API.
  struct Member {
    std::string url;
    std::unique_ptr<ControllerApi> api;
  };
  /// `members` in the config's order; at least one.
  explicit FailoverControllerApi(std::vector<Member> members);

  std::vector<Id> FindJobs(const std::string& package, const std::string& version,
                           const std::string& arch, const std::string& status) override;
  LogEnd LogEndOf(Id job) override;
  void AppendLog(Id job, int attempt, std::int64_t offset, const std::string& text) override;
  void ReportStatus(Id job, const std::string& status) override;

  /// The index of the controller the next call goes to first.
  std::size_t current() const { return current_; }

 private:
  /// Runs `call` on the current controller, then on each other one while
  /// the answer is retryable; rethrows the last such error when none took
  /// it, and a non-retryable one at once.
  template <typename Call>
  auto OnFirstThatAnswers(const Call& call);

  std::vector<Member> members_;
  std::size_t current_ = 0;
};

/// The watcher's controller API over HTTP(S) for `urls` (one or several).
std::unique_ptr<ControllerApi> MakeControllerApi(const std::vector<std::string>& urls,
                                                 const http::Credentials& credentials,
                                                 std::chrono::seconds timeout);

}  // namespace cbit::watcher
