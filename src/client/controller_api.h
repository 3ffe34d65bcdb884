// The client's side of the controller's HTTP API: the job's current status,
// status reports and log chunks. Every call has a deadline; the interface is
// the seam the daemon's unit tests replace with a fake.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "core/model.h"
#include "http/api_error.h"
#include "http/controller_client.h"

namespace httplib {
class Client;
}

namespace cbit::client {

/// A controller call failed; retryable() when no answer came or a 5xx did.
using ApiError = http::ApiError;

/// The latest row of a job's status history.
struct JobState {
  std::string status;
  std::optional<std::string> buildclient;
};

/// Where the controller's log of a build attempt stands after an append.
struct LogAck {
  int attempt = 0;
  std::int64_t length = 0;
};

/// What a client says about a build attempt when it reports its end
/// (docs/protocol.md, "Provenance"); every field optional.
struct AttemptProvenance {
  std::string client_version;
  std::string builder;
  std::string root_digest;
  std::string root_created;
  std::optional<std::string> buildinfo;
};

class ControllerApi {
 public:
  virtual ~ControllerApi() = default;
  /// GET /job/<id>/status, last row; nullopt when the job does not exist.
  virtual std::optional<JobState> CurrentStatus(Id job) = 0;
  /// PUT /job/<id> status=…&client=…[&reason=…]: `reason` (empty: none)
  /// goes into the job's history with the status; `provenance`, sent with
  /// the report that ends an attempt, is kept for that attempt.
  virtual void ReportStatus(Id job, const std::string& status, const std::string& client,
                            const std::string& reason,
                            const std::optional<AttemptProvenance>& provenance) = 0;
  void ReportStatus(Id job, const std::string& status, const std::string& client,
                    const std::string& reason) {
    ReportStatus(job, status, client, reason, std::nullopt);
  }
  /// PUT /job/<id> status=Building&client=…&takeover=<holder>: takes over a
  /// job Building on `holder`, refused (409) if another client holds it now.
  virtual void TakeOver(Id job, const std::string& client, const std::string& holder) = 0;
  /// POST /job/<id>/log?offset=…[&attempt=…] with `text`.
  virtual LogAck AppendLog(Id job, std::optional<int> attempt, std::int64_t offset,
                           const std::string& text) = 0;
  /// PUT /job/<id>/lease client=…: renews the lease on a job it builds;
  /// ApiError 409 when the lease is lost (the job is no longer Building on
  /// `client`).
  virtual void RenewLease(Id job, const std::string& client) = 0;
  /// PUT /buildd/<client>/heartbeat queues=…: the client is alive (also
  /// while idle) and consumes `queues`.
  virtual void Heartbeat(const std::string& client, const std::vector<std::string>& queues) = 0;
  /// GET /signing-keys: the public keys (base64) the controller signs
  /// messages with (queue/signing.h).
  virtual std::vector<std::string> SigningKeys() = 0;
};

/// The real one, over HTTP(S) with Basic credentials. Thread-safe: calls are
/// serialised on one keep-alive connection. With several controllers (on one
/// database), a call that cannot connect goes to the next one, which then
/// serves the calls after it.
class HttpControllerApi final : public ControllerApi {
 public:
  HttpControllerApi(const std::vector<std::string>& urls, const http::Credentials& credentials,
                    std::chrono::seconds timeout);
  ~HttpControllerApi() override;

  std::optional<JobState> CurrentStatus(Id job) override;
  void ReportStatus(Id job, const std::string& status, const std::string& client,
                    const std::string& reason,
                    const std::optional<AttemptProvenance>& provenance) override;
  using ControllerApi::ReportStatus;
  void TakeOver(Id job, const std::string& client, const std::string& holder) override;
  LogAck AppendLog(Id job, std::optional<int> attempt, std::int64_t offset,
                   const std::string& text) override;
  void RenewLease(Id job, const std::string& client) override;
  void Heartbeat(const std::string& client, const std::vector<std::string>& queues) override;
  std::vector<std::string> SigningKeys() override;

 private:
  /// `send` to the current controller, then to each other one while none
  /// could be connected to (the request never left: safe to send again).
  httplib::Result Call(const std::function<httplib::Result(httplib::Client&)>& send);

  std::mutex mu_;
  std::vector<std::unique_ptr<httplib::Client>> http_;
  std::size_t current_ = 0;
};

}  // namespace cbit::client
