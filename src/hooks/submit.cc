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
  const http::ControllerUrl url = http::SplitControllerUrl(config.url);
  auto client = http::MakeControllerClient(url.origin, {config.user, config.password, config.token},
                                           std::chrono::seconds(config.timeout_seconds),
                                           std::chrono::seconds(config.connect_timeout_seconds));
  if (!client->is_valid()) throw SubmitError("controller URL '" + config.url + "' is not usable");
  auto fields = s.Fields();
  httplib::Params params(fields.begin(), fields.end());
  try {
    return http::Expect(client->Post(url.prefix + "/job/vcshook", params), config.url).body;
  } catch (const http::ApiError& e) {
    // e.what() starts with the URL: "<url>: <transport error>" or
    // "<url>: HTTP <status>: <the controller's message>".
    throw SubmitError((e.status == 0 ? "cannot reach the controller at " : "the controller at ") +
                      std::string(e.what()));
  }
}

}  // namespace cbit::hooks
