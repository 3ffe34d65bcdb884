// The controller API as the daemon uses it, counting into ClientMetrics
// what the controller took: heartbeats, lease renewals, log bytes. A
// decorator, so that the job steps need not know about metrics.
#pragma once

#include "client/client_metrics.h"
#include "client/controller_api.h"

namespace cbit::client {

class MeteredControllerApi final : public ControllerApi {
 public:
  MeteredControllerApi(ControllerApi& api, ClientMetrics& metrics) : api_(api), m_(metrics) {}

  std::optional<JobState> CurrentStatus(Id job) override { return api_.CurrentStatus(job); }
  void ReportStatus(Id job, const std::string& status, const std::string& client,
                    const std::string& reason,
                    const std::optional<AttemptProvenance>& provenance) override {
    api_.ReportStatus(job, status, client, reason, provenance);
  }
  using ControllerApi::ReportStatus;
  void TakeOver(Id job, const std::string& client, const std::string& holder) override {
    api_.TakeOver(job, client, holder);
  }
  LogAck AppendLog(Id job, std::optional<int> attempt, std::int64_t offset,
                   const std::string& text) override {
    LogAck ack = api_.AppendLog(job, attempt, offset, text);
    m_.LogBytesTaken(text.size());
    return ack;
  }
  void RenewLease(Id job, const std::string& client) override {
    api_.RenewLease(job, client);
    m_.LeaseRenewed();
  }
  void Heartbeat(const std::string& client, const std::vector<std::string>& queues) override {
    api_.Heartbeat(client, queues);
    m_.HeartbeatTaken();
  }
  std::vector<std::string> SigningKeys() override { return api_.SigningKeys(); }

 private:
  ControllerApi& api_;
  ClientMetrics& m_;
};

}  // namespace cbit::client
