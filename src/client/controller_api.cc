#include "client/controller_api.h"

#include <httplib.h>

#include <nlohmann/json.hpp>

#include "http/controller_client.h"

namespace cbit::client {

using http::Expect;
using nlohmann::json;

HttpControllerApi::HttpControllerApi(const std::vector<std::string>& urls,
                                     const http::Credentials& credentials,
                                     std::chrono::seconds timeout) {
  for (const auto& url : urls)
    http_.push_back(http::MakeControllerClient(url, credentials, timeout));
}

httplib::Result HttpControllerApi::Call(
    const std::function<httplib::Result(httplib::Client&)>& send) {
  httplib::Result r = send(*http_[current_]);
  for (std::size_t tried = 1;
       tried < http_.size() && !r &&
       (r.error() == httplib::Error::Connection || r.error() == httplib::Error::ConnectionTimeout);
       ++tried) {
    current_ = (current_ + 1) % http_.size();
    r = send(*http_[current_]);
  }
  return r;
}

HttpControllerApi::~HttpControllerApi() = default;

std::optional<JobState> HttpControllerApi::CurrentStatus(Id job) {
  std::string path = "/job/" + std::to_string(job) + "/status";
  std::lock_guard lock(mu_);
  httplib::Result r = Call([&](httplib::Client& c) { return c.Get(path); });
  if (r && r->status == 404) return std::nullopt;
  const auto& res = Expect(r, "GET " + path);
  try {
    json history = json::parse(res.body);
    if (!history.is_array() || history.empty()) return JobState{};
    const json& last = history.back();
    JobState s{last.at("status").get<std::string>(), std::nullopt};
    if (last.contains("buildclient") && last["buildclient"].is_string()) {
      s.buildclient = last["buildclient"].get<std::string>();
    }
    return s;
  } catch (const json::exception& e) {
    throw ApiError(0, "GET " + path + ": unexpected answer: " + e.what());
  }
}

void HttpControllerApi::ReportStatus(Id job, const std::string& status, const std::string& client,
                                     const std::string& reason,
                                     const std::optional<AttemptProvenance>& provenance) {
  std::string path = "/job/" + std::to_string(job);
  httplib::Params form{{"status", status}, {"client", client}};
  if (!reason.empty()) form.emplace("reason", reason);
  if (provenance) {
    for (const auto& [key, value] : {std::pair{"client_version", &provenance->client_version},
                                     {"builder", &provenance->builder},
                                     {"root_digest", &provenance->root_digest},
                                     {"root_created", &provenance->root_created}}) {
      if (!value->empty()) form.emplace(key, *value);
    }
    if (provenance->buildinfo) form.emplace("buildinfo", *provenance->buildinfo);
  }
  std::lock_guard lock(mu_);
  Expect(Call([&](httplib::Client& c) { return c.Put(path, form); }),
         "PUT " + path + " status=" + status);
}

void HttpControllerApi::TakeOver(Id job, const std::string& client, const std::string& holder) {
  std::string path = "/job/" + std::to_string(job);
  httplib::Params form{{"status", "Building"}, {"client", client}, {"takeover", holder}};
  std::lock_guard lock(mu_);
  Expect(Call([&](httplib::Client& c) { return c.Put(path, form); }),
         "PUT " + path + " status=Building takeover=" + holder);
}

LogAck HttpControllerApi::AppendLog(Id job, std::optional<int> attempt, std::int64_t offset,
                                    const std::string& text) {
  std::string path = "/job/" + std::to_string(job) + "/log?offset=" + std::to_string(offset);
  if (attempt) path += "&attempt=" + std::to_string(*attempt);
  std::lock_guard lock(mu_);
  httplib::Result r =
      Call([&](httplib::Client& c) { return c.Post(path, text, "text/plain; charset=utf-8"); });
  const auto& res = Expect(r, "POST " + path);
  try {
    json j = json::parse(res.body);
    return {j.at("attempt").get<int>(), j.at("length").get<std::int64_t>()};
  } catch (const json::exception& e) {
    throw ApiError(0, "POST " + path + ": unexpected answer: " + e.what());
  }
}

void HttpControllerApi::RenewLease(Id job, const std::string& client) {
  std::string path = "/job/" + std::to_string(job) + "/lease";
  httplib::Params form{{"client", client}};
  std::lock_guard lock(mu_);
  Expect(Call([&](httplib::Client& c) { return c.Put(path, form); }), "PUT " + path);
}

void HttpControllerApi::Heartbeat(const std::string& client,
                                  const std::vector<std::string>& queues) {
  std::string path = "/buildd/" + client + "/heartbeat";
  std::string names;
  for (const auto& q : queues) names += (names.empty() ? "" : ",") + q;
  const httplib::Params form{{"queues", names}};
  std::lock_guard lock(mu_);
  Expect(Call([&](httplib::Client& c) { return c.Put(path, form); }), "PUT " + path);
}

std::vector<std::string> HttpControllerApi::SigningKeys() {
  std::lock_guard lock(mu_);
  httplib::Result result = Call([](httplib::Client& c) { return c.Get("/signing-keys"); });
  const auto& r = Expect(result, "GET /signing-keys");
  std::vector<std::string> keys;
  try {
    const nlohmann::json answer = nlohmann::json::parse(r.body);
    for (const auto& k : answer.at("keys")) keys.push_back(k.at("public_key").get<std::string>());
  } catch (const nlohmann::json::exception& e) {
    throw ApiError(0, std::string("GET /signing-keys: unexpected answer: ") + e.what());
  }
  return keys;
}

}  // namespace cbit::client
