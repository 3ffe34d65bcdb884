#include "watcher/failover_api.h"

#include <spdlog/spdlog.h>

#include <stdexcept>
#include <utility>

namespace cbit::watcher {

FailoverControllerApi::FailoverControllerApi(std::vector<Member> members)
    : members_(std::move(members)) {
  if (members_.empty()) throw std::invalid_argument("FailoverControllerApi: no controller");
}

template <typename Call>
auto FailoverControllerApi::OnFirstThatAnswers(const Call& call) {
  for (std::size_t tried = 1;; ++tried) {
    try {
      return call(*members_[current_].api);
    } catch (const ApiError& e) {
      if (!e.retryable() || tried >= members_.size()) throw;
      const std::size_t next = (current_ + 1) % members_.size();
      spdlog::warn("controller {} did not take the call ({}); trying {}", members_[current_].url,
                   e.what(), members_[next].url);
      current_ = next;
    }
  }
}

std::vector<Id> FailoverControllerApi::FindJobs(const std::string& package,
                                                const std::string& version, const std::string& arch,
                                                const std::string& status) {
  return OnFirstThatAnswers(
      [&](ControllerApi& api) { return api.FindJobs(package, version, arch, status); });
}

LogEnd FailoverControllerApi::LogEndOf(Id job) {
  return OnFirstThatAnswers([&](ControllerApi& api) { return api.LogEndOf(job); });
}

void FailoverControllerApi::AppendLog(Id job, int attempt, std::int64_t offset,
                                      const std::string& text) {
  OnFirstThatAnswers([&](ControllerApi& api) { api.AppendLog(job, attempt, offset, text); });
}

void FailoverControllerApi::ReportStatus(Id job, const std::string& status) {
  OnFirstThatAnswers([&](ControllerApi& api) { api.ReportStatus(job, status); });
}

std::unique_ptr<ControllerApi> MakeControllerApi(const std::vector<std::string>& urls,
                                                 const http::Credentials& credentials,
                                                 std::chrono::seconds timeout) {
  if (urls.size() == 1)
    return std::make_unique<HttpControllerApi>(urls.front(), credentials, timeout);
  std::vector<FailoverControllerApi::Member> members;
  members.reserve(urls.size());
  for (const auto& url : urls)
    members.push_back({url, std::make_unique<HttpControllerApi>(url, credentials, timeout)});
  return std::make_unique<FailoverControllerApi>(std::move(members));
}

}  // namespace cbit::watcher
