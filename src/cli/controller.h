// The controller's REST API as `cbit` calls it: one keep-alive connection,
// and every failure turned into a CliError with the exit status it means
// (cli/exit_code.h).
#pragma once

#include <httplib.h>

#include <chrono>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "cli/settings.h"

namespace cbit::cli {

using Form = std::vector<std::pair<std::string, std::string>>;

/// What GET /job/<id>/log answered.
struct LogChunk {
  std::string text;
  long long length = 0;   ///< X-Log-Length
  int attempt = 0;        ///< X-Log-Attempt
  bool finished = false;  ///< X-Job-Finished
};

class Controller {
 public:
  explicit Controller(const Settings& s, std::chrono::seconds timeout = std::chrono::seconds(30));

  /// GET `path` (under the URL's prefix); the body of the 200 answer.
  std::string Get(const std::string& path);
  /// POST `form` to `path`; the body of the 200 answer.
  std::string Post(const std::string& path, const Form& form);
  /// DELETE `path`; the body of the 200 answer.
  std::string Delete(const std::string& path);
  /// The log of `job` after byte `offset`, of `attempt` (0: the latest).
  LogChunk Log(long long job, long long offset, int attempt);
  /// `method` (POST or PUT) with an empty form, answering the raw status (0:
  /// no answer) and body: for probes whose refusal is the answer (cbit login).
  std::pair<int, std::string> Probe(const std::string& method, const std::string& path);

  const std::string& url() const { return url_; }

 private:
  std::string url_, prefix_;
  std::unique_ptr<httplib::Client> client_;
};

/// Form-encodes `form` (application/x-www-form-urlencoded).
std::string EncodeForm(const Form& form);

/// Percent-encodes a path segment or query value.
std::string Escape(const std::string& s);

}  // namespace cbit::cli
