#include "tests/support/client_process.h"

#include <fstream>
#include <nlohmann/json.hpp>
#include <stdexcept>

#include "client/upload.h"
#include "tests/support/controller_harness.h"
#include "tests/support/debpkg.h"
#include "tests/support/fixture.h"

namespace cbit::testing {

ClientProcess::ClientProcess(const ClientSetup& s) {
  std::string dir = ScratchDir("client-" + s.clientid);
  std::string dput_cf = dir + "/dput.cf";
  if (auto err = client::WriteLocalDputConfig(dput_cf, "local", s.incoming)) {
    throw std::runtime_error(*err);
  }
  nlohmann::json config = {
      {"clientid", s.clientid},
      {"host_arch", HostArch()},
      {"distribution", "Debian"},
      {"pkg_format", "deb"},
      {"suites", s.suites},
      {"buildroot", dir + "/build"},
      {"host", "127.0.0.1"},
      {"port", s.amqp_port},
      {"userid", "guest"},
      {"password", "guest"},
      {"dry_run", s.dry_run},
      {"dput_dest", "local"},
      {"dput_config", dput_cf},
      {"controller_url", "http://127.0.0.1:" + std::to_string(s.controller_port)},
      {"builder", s.builder},
      {"sbuild_mode", "unshare"},
      {"chroot_dir", s.chroot_dir},
      {"retry_base_seconds", 1},
      {"retry_max_seconds", 4},
      {"cancel_grace_seconds", 10},
      {"log_level", s.log_level}};
  if (!s.controller_urls.empty()) config["controller_url"] = s.controller_urls;
  if (s.lease_renew_seconds) config["lease_renew_seconds"] = s.lease_renew_seconds;
  if (s.heartbeat_seconds) config["heartbeat_seconds"] = s.heartbeat_seconds;
  if (s.token.empty()) {
    config["controller_user"] = kAdminUser;
    config["controller_password"] = kAdminPassword;
  } else {
    config["token"] = s.token;
  }
  if (!s.extra_config.empty()) config.update(nlohmann::json::parse(s.extra_config));
  std::string config_path = dir + "/client.json";
  std::ofstream(config_path) << config.dump(2);
  child_.emplace(std::vector<std::string>{std::string(CBIT_BINARY_DIR) + "/cbit-client", "--config",
                                          config_path},
                 dir + "/client.log");
}

ClientProcess::~ClientProcess() = default;

int ClientProcess::Stop() { return child_->Stop(); }

void ClientProcess::Kill() { child_->Kill(); }

std::string ClientProcess::Log() const { return child_->Log(); }

bool ClientProcess::WaitForLog(const std::string& text, std::chrono::seconds deadline) const {
  return child_->WaitForLog(text, deadline);
}

}  // namespace cbit::testing
