#include "watcher/controller_api.h"

#include <httplib.h>

#include <algorithm>
#include <nlohmann/json.hpp>

#include "http/controller_client.h"

namespace cbit::watcher {

using http::Expect;
using nlohmann::json;

HttpControllerApi::HttpControllerApi(const std::string& url, const http::Credentials& credentials,
                                     std::chrono::seconds timeout)
    : http_(http::MakeControllerClient(url, credentials, timeout)) {}

HttpControllerApi::~HttpControllerApi() = default;

std::vector<Id> HttpControllerApi::FindJobs(const std::string& package, const std::string& version,
                                            const std::string& arch, const std::string& status) {
  httplib::Params params{{"package", package}, {"version", version}, {"status", status}};
  if (!arch.empty()) params.emplace("arch", arch);
  std::string what =
      "GET /job?package=" + package + "&version=" + version + "&arch=" + arch + "&status=" + status;
  httplib::Result r = http_->Get("/job", params, httplib::Headers{});
  const auto& res = Expect(r, what);
  std::vector<Id> ids;
  try {
    for (const json& job : json::parse(res.body)) ids.push_back(job.at("id").get<Id>());
  } catch (const json::exception& e) {
    throw ApiError(0, what + ": unexpected answer: " + e.what());
  }
  std::sort(ids.begin(), ids.end());
  return ids;
}

LogEnd HttpControllerApi::LogEndOf(Id job) {
  // The length comes from the chunks read, so this reads the whole log (a
  // build log: kilobytes to a few megabytes, once per upload).
  std::string path = "/job/" + std::to_string(job) + "/log";
  httplib::Result r = http_->Get(path);
  const auto& res = Expect(r, "GET " + path);
  try {
    return {std::stoi(res.get_header_value("X-Log-Attempt")),
            std::stoll(res.get_header_value("X-Log-Length"))};
  } catch (const std::exception&) {
    throw ApiError(0, "GET " + path + ": no X-Log-Attempt/X-Log-Length headers");
  }
}

void HttpControllerApi::AppendLog(Id job, int attempt, std::int64_t offset,
                                  const std::string& text) {
  std::string path = "/job/" + std::to_string(job) + "/log?offset=" + std::to_string(offset) +
                     "&attempt=" + std::to_string(attempt);
  Expect(http_->Post(path, text, "text/plain; charset=utf-8"), "POST " + path);
}

void HttpControllerApi::ReportStatus(Id job, const std::string& status) {
  std::string path = "/job/" + std::to_string(job);
  Expect(http_->Put(path, httplib::Params{{"status", status}}),
         "PUT " + path + " status=" + status);
}

}  // namespace cbit::watcher
