#include "tests/support/watcher_process.h"

#include <fstream>
#include <nlohmann/json.hpp>
#include <vector>

#include "tests/support/controller_harness.h"
#include "tests/support/fixture.h"

namespace cbit::testing {

WatcherProcess::WatcherProcess(const WatcherSetup& s) {
  static int counter = 0;
  std::string dir = ScratchDir("watcher-" + std::to_string(++counter));
  nlohmann::json config = {
      {"rules", {{s.incoming, {{"repobase", s.repobase}, {"rule", s.rule}}}}},
      {"sleeptime", s.sleeptime},
      {"dryrun", false},
      {"controller_url", "http://127.0.0.1:" + std::to_string(s.controller_port)},
      {"retry_max_seconds", 2},
      {"log_level", "debug"}};
  if (!s.controller_urls.empty()) config["controller_url"] = s.controller_urls;
  if (s.token.empty()) {
    config["controller_user"] = kAdminUser;
    config["controller_password"] = kAdminPassword;
  } else {
    config["token"] = s.token;
  }
  std::string config_path = dir + "/watcher.json";
  std::ofstream(config_path) << config.dump(2);
  std::vector<std::string> argv{std::string(CBIT_BINARY_DIR) + "/cbit-watcher", "--config",
                                config_path};
  argv.insert(argv.end(), s.args.begin(), s.args.end());
  child_.emplace(argv, dir + "/watcher.log");
}

WatcherProcess::~WatcherProcess() = default;

int WatcherProcess::Stop() { return child_->Stop(); }

void WatcherProcess::Kill() { child_->Kill(); }

std::string WatcherProcess::Log() const { return child_->Log(); }

bool WatcherProcess::WaitForLog(const std::string& text, std::chrono::seconds deadline) const {
  return child_->WaitForLog(text, deadline);
}

}  // namespace cbit::testing
