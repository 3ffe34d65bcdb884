#include "tests/support/child_process.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "tests/support/fixture.h"

namespace cbit::testing {

ChildProcess::ChildProcess(std::vector<std::string> args, const std::string& log_path)
    : log_path_(log_path) {
  // Everything the child needs is made before fork (the test is threaded).
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
    ::execv(argv[0], argv.data());
    ::_exit(127);
  }
  ::close(log_fd);
  if (pid_ < 0) throw std::runtime_error("fork failed");
  AtTestExit([pid = pid_, running = running_] {
    if (*running) ::kill(pid, SIGKILL);
  });
}

ChildProcess::~ChildProcess() { Stop(); }

int ChildProcess::Wait() {
  int status = 0;
  ::waitpid(pid_, &status, 0);
  *running_ = false;
  status_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return status_;
}

int ChildProcess::Stop() {
  if (status_ >= 0) return status_;
  ::kill(pid_, SIGTERM);
  return Wait();
}

void ChildProcess::Kill() {
  if (status_ >= 0) return;
  ::kill(pid_, SIGKILL);
  Wait();
}

std::string ChildProcess::Log() const {
  std::ifstream in(log_path_);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

bool ChildProcess::WaitForLog(const std::string& text, std::chrono::seconds deadline) const {
  auto until = std::chrono::steady_clock::now() + deadline;
  while (std::chrono::steady_clock::now() < until) {
    if (Log().find(text) != std::string::npos) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return false;
}

}  // namespace cbit::testing
