// The watcher's side of the controller's HTTP API: find the job of an
// upload, append to its build log, report Uploaded or Failed. The watcher
// never touches the database. Every call has a deadline; the interface is the
// seam the unit tests replace.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/model.h"
#include "http/api_error.h"
#include "http/controller_client.h"

namespace httplib {
class Client;
}

namespace cbit::watcher {

/// A controller call failed; retryable() when no answer came or a 5xx did.
using ApiError = http::ApiError;

/// Where a job's latest log attempt ends.
struct LogEnd {
  int attempt = 0;  ///< 0: the job was never built, it has no log to append to
  std::int64_t length = 0;
};

class ControllerApi {
 public:
  virtual ~ControllerApi() = default;
  /// GET /job?package=…&version=…[&arch=…]&status=…: the ids, ascending.
  virtual std::vector<Id> FindJobs(const std::string& package, const std::string& version,
                                   const std::string& arch, const std::string& status) = 0;
  /// GET /job/<id>/log past its end: the headers X-Log-Attempt, X-Log-Length.
  virtual LogEnd LogEndOf(Id job) = 0;
  /// POST /job/<id>/log?offset=…&attempt=… with `text`.
  virtual void AppendLog(Id job, int attempt, std::int64_t offset, const std::string& text) = 0;
  /// PUT /job/<id> status=… (no client: the job keeps the client that built it).
  virtual void ReportStatus(Id job, const std::string& status) = 0;
};

/// The real one, over HTTP(S) with Basic credentials; one keep-alive
/// connection, used from the watcher's one thread.
class HttpControllerApi final : public ControllerApi {
 public:
  HttpControllerApi(const std::string& url, const http::Credentials& credentials,
                    std::chrono::seconds timeout);
  ~HttpControllerApi() override;

  std::vector<Id> FindJobs(const std::string& package, const std::string& version,
                           const std::string& arch, const std::string& status) override;
  LogEnd LogEndOf(Id job) override;
  void AppendLog(Id job, int attempt, std::int64_t offset, const std::string& text) override;
  void ReportStatus(Id job, const std::string& status) override;

 private:
  std::unique_ptr<httplib::Client> http_;
};

}  // namespace cbit::watcher
