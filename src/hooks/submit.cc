#include "hooks/submit.h"

#include <httplib.h>

#include <nlohmann/json.hpp>

namespace cbit::hooks {
namespace {

// "http://host:port/prefix" → {"http://host:port", "/prefix"}.
std::pair<std::string, std::string> SplitUrl(const std::string& url) {
  auto scheme_end = url.find("://");
  auto slash = url.find('/', scheme_end == std::string::npos ? 0 : scheme_end + 3);
  if (slash == std::string::npos) return {url, ""};
  std::string prefix = url.substr(slash);
  while (!prefix.empty() && prefix.back() == '/') prefix.pop_back();
  return {url.substr(0, slash), prefix};
}

// The controller's {"error": "…"} message, or the body itself.
std::string ErrorMessage(const std::string& body) {
  auto doc = nlohmann::json::parse(body, nullptr, false);
  if (doc.is_object() && doc.contains("error") && doc["error"].is_string())
    return doc["error"].get<std::string>();
  return body.substr(0, 500);
}

}  // namespace

std::vector<std::pair<std::string, std::string>> HookSubmission::Fields() const {
  std::vector<std::pair<std::string, std::string>> f = {
      {"package", package},
      {"package_version", version},
      {"suite", suite},
      {"distribution", distribution},
      {"architecture_list", arch_list},
      {"format", format},
      {"method", method},
      {"uri", uri},
  };
  if (!vcs_id.empty()) f.emplace_back("vcs_id", vcs_id);
  if (!directory.empty()) f.emplace_back("directory", directory);
  return f;
}

std::string HookSubmission::Describe() const {
  std::string where = method + " " + uri;
  if (!directory.empty()) where += " directory " + directory;
  if (!vcs_id.empty()) where += " @ " + vcs_id;
  return package + " " + version + " (suite " + suite + ", architectures " + arch_list + ", " +
         where + ")";
}

std::string Submit(const HookConfig& config, const HookSubmission& s) {
  auto [base, prefix] = SplitUrl(config.url);
  httplib::Client client(base);
  if (!client.is_valid()) throw SubmitError("controller URL '" + config.url + "' is not usable");
  client.set_connection_timeout(config.connect_timeout_seconds, 0);
  client.set_read_timeout(config.timeout_seconds, 0);
  client.set_write_timeout(config.timeout_seconds, 0);
  if (!config.user.empty()) client.set_basic_auth(config.user, config.password);
  auto fields = s.Fields();
  httplib::Params params(fields.begin(), fields.end());
  std::string body = httplib::detail::params_to_query_str(params);
  auto res = client.Post(prefix + "/job/vcshook", body, "application/x-www-form-urlencoded");
  if (!res) {
    throw SubmitError("cannot reach the controller at " + config.url + ": " +
                      httplib::to_string(res.error()));
  }
  if (res->status < 200 || res->status >= 300) {
    throw SubmitError("the controller at " + config.url + " refused the submission (HTTP " +
                      std::to_string(res->status) + "): " + ErrorMessage(res->body));
  }
  return res->body;
}

}  // namespace cbit::hooks
