#include "http/controller_probe.h"

namespace cbit::http {

using peercheck::Answer;
using peercheck::State;

std::string DescribeControllers(const std::vector<std::string>& urls) {
  std::string out = urls.size() == 1 ? "the controller at " : "the controllers at ";
  for (std::size_t i = 0; i < urls.size(); ++i) out += (i ? ", " : "") + urls[i];
  return out;
}

Answer ClassifyControllerStatus(int status, const std::string& detail) {
  if (status == 401 || status == 403) return {State::kRefused, detail};
  if (status == 0 || status == 429 || status >= 500) return {State::kUnreachable, detail};
  return {State::kReady, ""};
}

Answer ProbeController(const std::vector<std::string>& urls, const Credentials& credentials,
                       const std::string& method, const std::string& path,
                       std::chrono::seconds timeout) {
  Answer last{State::kUnreachable, "no controller URL"};
  for (const std::string& url : urls) {
    const ControllerUrl u = SplitControllerUrl(url);
    auto client = MakeControllerClient(u.origin, credentials, timeout);
    const std::string target = u.prefix + path;
    httplib::Result r = method == "PUT"
                            ? client->Put(target, "", "application/x-www-form-urlencoded")
                            : client->Get(target);
    if (!r) {
      // As the daemons do: one that cannot be connected to is passed over.
      last = {State::kUnreachable, url + ": " + httplib::to_string(r.error())};
      continue;
    }
    std::string detail = method;
    detail.append(" ").append(url).append(path).append(": HTTP ");
    detail.append(std::to_string(r->status)).append(": ").append(r->body.substr(0, 300));
    return ClassifyControllerStatus(r->status, detail);
  }
  return last;
}

}  // namespace cbit::http
