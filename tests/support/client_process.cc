#include "tests/support/client_process.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <stdexcept>
#include <thread>

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
      {"controller_user", kAdminUser},
      {"controller_password", kAdminPassword},
      {"builder", s.builder},
      {"sbuild_mode", "unshare"},
      {"chroot_dir", s.chroot_dir},
      {"retry_base_seconds", 1},
      {"retry_max_seconds", 4},
      {"cancel_grace_seconds", 10},
      {"log_level", "debug"}};
  std::string config_path = dir + "/client.json";
  std::ofstream(config_path) << config.dump(2);
  log_path_ = dir + "/client.log";

  // Everything the child needs is made before fork (the test is threaded).
  std::string binary = std::string(CBIT_BINARY_DIR) + "/cbit-client";
  std::vector<std::string> args = {binary, "--config", config_path};
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  int log_fd = ::open(log_path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (log_fd < 0) throw std::runtime_error("cannot create " + log_path_);
  pid_ = ::fork();
  if (pid_ == 0) {
    // Ends with the test binary, however that ends.
    ::prctl(PR_SET_PDEATHSIG, SIGTERM);
    ::dup2(log_fd, 1);
    ::dup2(log_fd, 2);
    sigset_t none;
    sigemptyset(&none);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);
    ::execv(binary.c_str(), argv.data());
    ::_exit(127);
  }
  ::close(log_fd);
  if (pid_ < 0) throw std::runtime_error("fork failed");
  AtTestExit([pid = pid_, running = running_] {
    if (*running) ::kill(pid, SIGKILL);
  });
}

ClientProcess::~ClientProcess() { Stop(); }

int ClientProcess::Wait() {
  int status = 0;
  ::waitpid(pid_, &status, 0);
  *running_ = false;
  status_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return status_;
}

int ClientProcess::Stop() {
  if (status_ >= 0) return status_;
  ::kill(pid_, SIGTERM);
  return Wait();
}

void ClientProcess::Kill() {
  if (status_ >= 0) return;
  ::kill(pid_, SIGKILL);
  Wait();
}

std::string ClientProcess::Log() const {
  std::ifstream in(log_path_);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

bool ClientProcess::WaitForLog(const std::string& text, std::chrono::seconds deadline) const {
  auto until = std::chrono::steady_clock::now() + deadline;
  while (std::chrono::steady_clock::now() < until) {
    if (Log().find(text) != std::string::npos) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return false;
}

}  // namespace cbit::testing
