#include "watcher/controller_api.h"

#include <httplib.h>

#include <algorithm>
#include <nlohmann/json.hpp>

namespace cbit::watcher {
namespace {

using nlohmann::json;

// The answer (owned by `r`, which must outlive it), or ApiError naming the call and what went
// wrong.
const httplib::Response& Expect(const httplib::Result& r, const std::string& what) {
  if (!r) throw ApiError(0, what + ": " + httplib::to_string(r.error()));
  if (r->status != 200) {
    std::string msg = r->body;
    try {
      msg = json::parse(r->body).at("error").get<std::string>();
    } catch (const std::exception&) {
    }
    throw ApiError(r->status, what + ": HTTP " + std::to_string(r->status) + ": " + msg);
  }
  return *r;
}

}  // namespace

HttpControllerApi::HttpControllerApi(const std::string& url, const std::string& user,
                                     const std::string& password, std::chrono::seconds timeout)
    : http_(std::make_unique<httplib::Client>(url)) {
  http_->set_basic_auth(user, password);
  http_->set_keep_alive(true);
  http_->set_tcp_nodelay(true);
  http_->set_connection_timeout(timeout);
  http_->set_read_timeout(timeout);
  http_->set_write_timeout(timeout);
}

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
