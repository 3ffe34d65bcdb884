// A ControllerApi for unit tests: keeps statuses and logs in memory, and can
// be told to be unreachable for a number of calls, as a controller that is
// briefly away.
#pragma once

#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "client/controller_api.h"

namespace cbit::client {

class FakeControllerApi final : public ControllerApi {
 public:
  std::optional<JobState> CurrentStatus(Id job) override {
    std::lock_guard lock(mu_);
    MaybeFail();
    auto it = history_.find(job);
    if (it == history_.end()) return std::nullopt;
    return JobState{it->second.back(), client_[job]};
  }
  void ReportStatus(Id job, const std::string& status, const std::string& client,
                    const std::string& reason,
                    const std::optional<AttemptProvenance>& provenance) override {
    std::lock_guard lock(mu_);
    MaybeFail();
    history_[job].push_back(status);
    reasons_[job].push_back(reason);
    client_[job] = client;
    if (status == "Building") ++attempts_[job];
    if (provenance) provenance_[job] = *provenance;
  }
  using ControllerApi::ReportStatus;
  /// The provenance the last report of `job` that had one sent.
  std::optional<AttemptProvenance> ProvenanceOf(Id job) {
    std::lock_guard lock(mu_);
    auto it = provenance_.find(job);
    if (it == provenance_.end()) return std::nullopt;
    return it->second;
  }
  void TakeOver(Id job, const std::string& client, const std::string& holder) override {
    {
      std::lock_guard lock(mu_);
      takeovers_[job] = holder;
    }
    ReportStatus(job, "Building", client, "");
  }
  LogAck AppendLog(Id job, std::optional<int> attempt, std::int64_t offset,
                   const std::string& text) override {
    std::lock_guard lock(mu_);
    MaybeFail();
    int a = attempt.value_or(attempts_[job]);
    std::string& log = logs_[{job, a}];
    if (offset > static_cast<std::int64_t>(log.size())) throw ApiError(409, "offset past end");
    std::size_t skip = log.size() - offset;
    if (skip < text.size()) log += text.substr(skip);
    ++posts_;
    return {a, static_cast<std::int64_t>(log.size())};
  }

  void RenewLease(Id job, const std::string& client) override {
    std::lock_guard lock(mu_);
    ++renewals_;
    if (fail_renewals_ > 0) {
      --fail_renewals_;
      throw ApiError(0, "fake controller unreachable");
    }
    auto it = history_.find(job);
    if (it == history_.end() || it->second.back() != "Building" || client_[job] != client)
      throw ApiError(409, "job " + std::to_string(job) + ": lease lost");
  }
  void Heartbeat(const std::string&, const std::vector<std::string>& queues) override {
    std::lock_guard lock(mu_);
    ++heartbeats_;
    heartbeat_queues_ = queues;
  }
  std::vector<std::string> SigningKeys() override {
    std::lock_guard lock(mu_);
    if (signing_keys_unreachable_) throw ApiError(0, "fake controller unreachable");
    return signing_keys_;
  }
  void SetSigningKeys(std::vector<std::string> keys) {
    std::lock_guard lock(mu_);
    signing_keys_ = std::move(keys);
  }
  /// GET /signing-keys gets no answer (while `unreachable`).
  void SetSigningKeysUnreachable(bool unreachable) {
    std::lock_guard lock(mu_);
    signing_keys_unreachable_ = unreachable;
  }

  /// The controller's expiry: the job goes back to Waiting, as a new
  /// attempt; the holder's renewals hear 409 from now on.
  void ExpireLease(Id job) {
    std::lock_guard lock(mu_);
    history_[job].push_back("Waiting");
  }
  /// The next `n` renewals fail as if the controller were unreachable.
  void FailRenewals(int n) {
    std::lock_guard lock(mu_);
    fail_renewals_ = n;
  }
  int renewals() {
    std::lock_guard lock(mu_);
    return renewals_;
  }
  int heartbeats() {
    std::lock_guard lock(mu_);
    return heartbeats_;
  }
  std::vector<std::string> heartbeat_queues() {
    std::lock_guard lock(mu_);
    return heartbeat_queues_;
  }

  /// The next `n` calls fail as if the controller were unreachable.
  void FailNext(int n) {
    std::lock_guard lock(mu_);
    fail_next_ = n;
  }
  void AddJob(Id job, const std::string& status) {
    std::lock_guard lock(mu_);
    history_[job] = {status};
  }
  std::vector<std::string> History(Id job) {
    std::lock_guard lock(mu_);
    return history_[job];
  }
  /// The reason of each report, in order (empty: none).
  std::vector<std::string> Reasons(Id job) {
    std::lock_guard lock(mu_);
    return reasons_[job];
  }
  std::string Log(Id job, int attempt) {
    std::lock_guard lock(mu_);
    return logs_[{job, attempt}];
  }
  /// The holder the last takeover of `job` named; empty: none.
  std::string TakeoverFrom(Id job) {
    std::lock_guard lock(mu_);
    return takeovers_[job];
  }
  int posts() {
    std::lock_guard lock(mu_);
    return posts_;
  }

 private:
  void MaybeFail() {
    if (fail_next_ > 0) {
      --fail_next_;
      throw ApiError(0, "fake controller unreachable");
    }
  }
  std::mutex mu_;
  int fail_next_ = 0;
  int posts_ = 0;
  int fail_renewals_ = 0;
  int renewals_ = 0;
  int heartbeats_ = 0;
  std::vector<std::string> heartbeat_queues_;
  std::map<Id, std::vector<std::string>> history_;
  std::map<Id, std::vector<std::string>> reasons_;
  std::map<Id, std::string> client_;
  std::map<Id, std::string> takeovers_;
  std::map<Id, int> attempts_;
  std::map<Id, AttemptProvenance> provenance_;
  std::map<std::pair<Id, int>, std::string> logs_;
  std::vector<std::string> signing_keys_;
  bool signing_keys_unreachable_ = false;
};

}  // namespace cbit::client
