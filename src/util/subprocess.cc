#include "util/subprocess.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

extern char** environ;

namespace cbit {
namespace {

using Clock = std::chrono::steady_clock;

// Everything the child needs is built before fork(): after fork in a
// threaded program only async-signal-safe calls are allowed.
struct ExecPlan {
  std::vector<std::string> env_storage;
  std::vector<char*> argv, envp;

  explicit ExecPlan(const Command& cmd) {
    for (char** e = environ; *e; ++e) {
      std::string_view entry(*e);
      bool overridden = false;
      for (const auto& x : cmd.env) {
        auto eq = x.find('=');
        if (eq != std::string::npos &&
            entry.substr(0, eq + 1) == std::string_view(x).substr(0, eq + 1))
          overridden = true;
      }
      if (!overridden) env_storage.emplace_back(entry);
    }
    for (const auto& x : cmd.env) env_storage.push_back(x);
    for (auto& s : env_storage) envp.push_back(s.data());
    envp.push_back(nullptr);
    for (const auto& a : cmd.argv) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
  }
};

void KillGroup(pid_t pid, int sig) { ::kill(-pid, sig); }

}  // namespace

CommandResult RunCommand(const Command& cmd, const OutputSink& sink, const CancelHook& cancel) {
  CommandResult result;
  if (cmd.argv.empty()) {
    result.exit_code = 127;
    result.output = "empty command\n";
    return result;
  }
  ExecPlan plan(cmd);
  int out[2], in[2];
  if (::pipe2(out, O_CLOEXEC) != 0 || ::pipe2(in, O_CLOEXEC) != 0) {
    result.exit_code = 127;
    result.output = std::string("pipe: ") + std::strerror(errno) + "\n";
    return result;
  }
  const pid_t parent = ::getpid();
  pid_t pid = ::fork();
  if (pid == 0) {
    ::setpgid(0, 0);
    // The parent may have died before the request: then go at once.
    if (cmd.die_with_parent && (::prctl(PR_SET_PDEATHSIG, SIGTERM) != 0 || ::getppid() != parent)) {
      ::_exit(127);
    }
    ::dup2(in[0], 0);
    ::dup2(out[1], 1);
    ::dup2(out[1], 2);
    if (!cmd.cwd.empty() && ::chdir(cmd.cwd.c_str()) != 0) {
      const char msg[] = "cannot change directory\n";
      (void)!::write(2, msg, sizeof msg - 1);
      ::_exit(127);
    }
    ::signal(SIGPIPE, SIG_DFL);
    // A daemon that takes its stop signals with sigwait blocks them in every
    // thread; a command must not inherit that mask, or a cancel's SIGINT
    // would never reach it.
    sigset_t none;
    sigemptyset(&none);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);
    ::execvpe(plan.argv[0], plan.argv.data(), plan.envp.data());
    const char msg[] = "cannot execute: ";
    (void)!::write(2, msg, sizeof msg - 1);
    (void)!::write(2, plan.argv[0], std::strlen(plan.argv[0]));
    (void)!::write(2, "\n", 1);
    ::_exit(127);
  }
  ::close(out[1]);
  ::close(in[0]);
  if (pid < 0) {
    ::close(out[0]);
    ::close(in[1]);
    result.exit_code = 127;
    result.output = std::string("fork: ") + std::strerror(errno) + "\n";
    return result;
  }
  ::setpgid(pid, pid);  // also from the parent, so kill(-pid) works at once

  int in_fd = in[1];
  ::fcntl(in_fd, F_SETFL, O_NONBLOCK);
  std::size_t in_done = 0;
  if (cmd.stdin_data.empty()) {
    ::close(in_fd);
    in_fd = -1;
  }

  auto deliver = [&](std::string_view chunk) {
    if (sink) {
      sink(chunk);
    } else {
      result.output.append(chunk);
    }
  };

  auto start = Clock::now();
  std::optional<Clock::time_point> kill_at, exited_at;
  int status = 0;
  bool reaped = false, eof = false;
  char buf[65536];
  while (!(reaped && eof)) {
    pollfd fds[2] = {{out[0], POLLIN, 0}, {in_fd, POLLOUT, 0}};
    int nfds = in_fd >= 0 ? 2 : 1;
    if (!eof) ::poll(fds, nfds, 50);
    if (!eof && (fds[0].revents & (POLLIN | POLLHUP | POLLERR))) {
      ssize_t n = ::read(out[0], buf, sizeof buf);
      if (n > 0) {
        deliver(std::string_view(buf, n));
      } else if (n == 0 || (errno != EINTR && errno != EAGAIN)) {
        eof = true;
      }
    }
    if (in_fd >= 0 && (fds[1].revents & (POLLOUT | POLLERR | POLLHUP))) {
      ssize_t n = ::write(in_fd, cmd.stdin_data.data() + in_done, cmd.stdin_data.size() - in_done);
      if (n > 0) in_done += n;
      if (n < 0 || in_done == cmd.stdin_data.size()) {
        ::close(in_fd);
        in_fd = -1;
      }
    }
    if (eof && !reaped) {
      // Output closed: wait for the exit without spinning.
      if (::waitpid(pid, &status, 0) == pid) reaped = true;
      continue;
    }
    if (!reaped && ::waitpid(pid, &status, WNOHANG) == pid) {
      reaped = true;
      exited_at = Clock::now();
    }
    auto now = Clock::now();
    // A daemon started by the command may keep our pipe open; stop reading
    // shortly after the command itself has exited.
    if (reaped && exited_at && now - *exited_at > std::chrono::milliseconds(200)) break;
    if (!reaped && !kill_at) {
      if (cmd.timeout && now - start > *cmd.timeout) {
        result.timed_out = true;
        KillGroup(pid, SIGTERM);
        kill_at = now + std::chrono::seconds(5);
      } else if (cancel.requested && cancel.requested()) {
        result.cancelled = true;
        KillGroup(pid, SIGINT);
        kill_at = now + cancel.grace;
      }
    }
    if (!reaped && kill_at && now > *kill_at) {
      KillGroup(pid, SIGKILL);
      kill_at = now + std::chrono::hours(24);
    }
  }
  // A process forked just as the signal went out (make starting a recipe
  // while it handles SIGINT) never got it and outlives the command: once
  // stopped, nothing of the command's group may stay behind.
  if (result.cancelled || result.timed_out) KillGroup(pid, SIGKILL);
  ::close(out[0]);
  if (in_fd >= 0) ::close(in_fd);
  if (WIFEXITED(status)) {
    result.exit_code = WEXITSTATUS(status);
  } else if (WIFSIGNALED(status)) {
    result.exit_code = 128 + WTERMSIG(status);
  }
  return result;
}

std::string DescribeArgv(const std::vector<std::string>& argv) {
  std::string s;
  for (const auto& a : argv) {
    if (!s.empty()) s += ' ';
    bool plain = !a.empty() && a.find_first_not_of(
                                   "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                   "0123456789-_./=:,+@%") == std::string::npos;
    if (plain) {
      s += a;
    } else {
      s += '\'';
      for (char c : a) {
        if (c == '\'')
          s += "'\\''";
        else
          s += c;
      }
      s += '\'';
    }
  }
  return s;
}

}  // namespace cbit
