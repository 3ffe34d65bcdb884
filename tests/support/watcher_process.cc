#include "tests/support/watcher_process.h"

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
      {"controller_user", kAdminUser},
      {"controller_password", kAdminPassword},
      {"retry_max_seconds", 2},
      {"log_level", "debug"}};
  std::string config_path = dir + "/watcher.json";
  std::ofstream(config_path) << config.dump(2);
  log_path_ = dir + "/watcher.log";

  // Everything the child needs is made before fork (the test is threaded).
  std::string binary = std::string(CBIT_BINARY_DIR) + "/cbit-watcher";
  std::vector<std::string> args = {binary, "--config", config_path};
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  int log_fd = ::open(log_path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (log_fd < 0) throw std::runtime_error("cannot create " + log_path_);
  pid_ = ::fork();
  if (pid_ == 0) {
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

WatcherProcess::~WatcherProcess() { Stop(); }

int WatcherProcess::Stop() {
  if (status_ >= 0) return status_;
  ::kill(pid_, SIGTERM);
  int status = 0;
  ::waitpid(pid_, &status, 0);
  *running_ = false;
  status_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return status_;
}

std::string WatcherProcess::Log() const {
  std::ifstream in(log_path_);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

bool WatcherProcess::WaitForLog(const std::string& text, std::chrono::seconds deadline) const {
  auto until = std::chrono::steady_clock::now() + deadline;
  while (std::chrono::steady_clock::now() < until) {
    if (Log().find(text) != std::string::npos) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return false;
}

}  // namespace cbit::testing
