#include "hooks/submit.h"

#include <chrono>

#include "http/controller_client.h"

namespace cbit::hooks {

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
  auto fields = s.Fields();
  const httplib::Params params(fields.begin(), fields.end());
  std::string unreachable;
  for (const std::string& u : config.urls) {
    const http::ControllerUrl url = http::SplitControllerUrl(u);
    auto client =
        http::MakeControllerClient(url.origin, {config.user, config.password, config.token},
                                   std::chrono::seconds(config.timeout_seconds),
                                   std::chrono::seconds(config.connect_timeout_seconds));
    if (!client->is_valid()) throw SubmitError("controller URL '" + u + "' is not usable");
    httplib::Result r = client->Post(url.prefix + "/job/vcshook", params);
    // Only a controller that could not be connected to is passed over: one
    // that got the request may have recorded it.
    if (!r && (r.error() == httplib::Error::Connection ||
               r.error() == httplib::Error::ConnectionTimeout)) {
      unreachable += (unreachable.empty() ? "" : "; ") + u + ": " + httplib::to_string(r.error());
      continue;
    }
    try {
      return http::Expect(r, u).body;
    } catch (const http::ApiError& e) {
      // e.what() starts with the URL: "<url>: <transport error>" or
      // "<url>: HTTP <status>: <the controller's message>".
      throw SubmitError((e.status == 0 ? "cannot reach the controller at " : "the controller at ") +
                        std::string(e.what()));
    }
  }
  throw SubmitError("cannot reach the controller at " + unreachable);
}

}  // namespace cbit::hooks
