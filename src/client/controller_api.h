// The client's side of the controller's HTTP API: the job's current status,
// status reports and log chunks. Every call has a deadline; the interface is
// the seam the daemon's unit tests replace with a fake.
#pragma once

#include <chrono>
#include <memory>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>

#include "core/model.h"

namespace httplib {
class Client;
}

namespace cbit::client {

/// A controller call failed. `status` is the HTTP status, or 0 when no answer
/// came (unreachable, deadline passed): only those are worth retrying.
struct ApiError : std::runtime_error {
  ApiError(int s, const std::string& what) : std::runtime_error(what), status(s) {}
  int status;
  bool retryable() const { return status == 0 || status >= 500; }
};

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

class ControllerApi {
 public:
  virtual ~ControllerApi() = default;
  /// GET /job/<id>/status, last row; nullopt when the job does not exist.
  virtual std::optional<JobState> CurrentStatus(Id job) = 0;
  /// PUT /job/<id> status=…&client=….
  virtual void ReportStatus(Id job, const std::string& status, const std::string& client) = 0;
  /// POST /job/<id>/log?offset=…[&attempt=…] with `text`.
  virtual LogAck AppendLog(Id job, std::optional<int> attempt, std::int64_t offset,
                           const std::string& text) = 0;
};

/// The real one, over HTTP(S) with Basic credentials. Thread-safe: calls are
/// serialised on one keep-alive connection.
class HttpControllerApi final : public ControllerApi {
 public:
  HttpControllerApi(const std::string& url, const std::string& user, const std::string& password,
                    std::chrono::seconds timeout);
  ~HttpControllerApi() override;

  std::optional<JobState> CurrentStatus(Id job) override;
  void ReportStatus(Id job, const std::string& status, const std::string& client) override;
  LogAck AppendLog(Id job, std::optional<int> attempt, std::int64_t offset,
                   const std::string& text) override;

 private:
  std::mutex mu_;
  std::unique_ptr<httplib::Client> http_;
};

}  // namespace cbit::client
