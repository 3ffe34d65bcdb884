#include "util/subprocess.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <thread>
#include <utility>

#include "util/unique_fd.h"

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

constexpr auto kTick = std::chrono::milliseconds(50);  // how often the cancel hook is polled
constexpr auto kTermGrace = std::chrono::seconds(5);   // from a deadline's SIGTERM to SIGKILL
// A daemon started by the command may keep our pipe open: stop reading this
// long after the command itself has exited.
constexpr auto kLinger = std::chrono::milliseconds(200);

// The child's side of fork(): only async-signal-safe calls from here on.
[[noreturn]] void ExecChild(const Command& cmd, const ExecPlan& plan, int in, int out,
                            pid_t parent) {
  ::setpgid(0, 0);
  // The parent may have died before the request: then go at once.
  if (cmd.die_with_parent && (::prctl(PR_SET_PDEATHSIG, SIGTERM) != 0 || ::getppid() != parent)) {
    ::_exit(127);
  }
  ::dup2(in, 0);
  ::dup2(out, 1);
  ::dup2(out, 2);
  if (!cmd.cwd.empty() && ::chdir(cmd.cwd.c_str()) != 0) {
    const char msg[] = "cannot change directory\n";
    (void)!::write(2, msg, sizeof msg - 1);
    ::_exit(127);
  }
  ::signal(SIGPIPE, SIG_DFL);
  // A program started in the background by a shell has SIGINT and SIGQUIT
  // ignored, and an ignored signal stays ignored across exec (a shell
  // cannot even trap it): a cancel's SIGINT would not reach the command.
  ::signal(SIGINT, SIG_DFL);
  ::signal(SIGQUIT, SIG_DFL);
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

// The command's process group, from fork to reaping. Destroyed before the
// child was reaped (the caller unwinding), it kills the whole group and
// reaps the child: nothing of the command outlives RunCommand, not even a
// zombie.
class ChildGroup {
 public:
  explicit ChildGroup(pid_t pid) : pid_(pid) {}
  ChildGroup(ChildGroup&& other) noexcept
      : pid_(std::exchange(other.pid_, -1)), status_(other.status_), reaped_(other.reaped_) {}
  ChildGroup& operator=(ChildGroup&&) = delete;
  ~ChildGroup() {
    if (pid_ <= 0 || reaped_) return;
    Signal(SIGKILL);
    while (::waitpid(pid_, &status_, 0) < 0 && errno == EINTR) {
    }
  }

  void Signal(int sig) const { ::kill(-pid_, sig); }
  /// Collects the exit status once the child has exited; `block` waits for
  /// that. True once reaped.
  bool Reap(bool block) {
    if (!reaped_ && ::waitpid(pid_, &status_, block ? 0 : WNOHANG) == pid_) reaped_ = true;
    return reaped_;
  }
  /// The exit status, or 128+signal when killed by a signal.
  int ExitCode() const {
    if (WIFEXITED(status_)) return WEXITSTATUS(status_);
    if (WIFSIGNALED(status_)) return 128 + WTERMSIG(status_);
    return -1;
  }

 private:
  pid_t pid_;
  int status_ = 0;
  bool reaped_ = false;
};

// A started command: its process group and the parent's ends of its pipes.
struct Spawned {
  ChildGroup group;
  UniqueFd output;  ///< the child's stdout and stderr
  UniqueFd input;   ///< the child's stdin (non-blocking); none when there is nothing to write
};

// Forks and executes the command in a process group of its own. nullopt,
// with the reason in `error`, when no pipe or process could be made.
std::optional<Spawned> Spawn(const Command& cmd, std::string& error) {
  ExecPlan plan(cmd);
  std::optional<Pipe> out = MakePipe(), in = out ? MakePipe() : std::nullopt;
  if (!in) {
    error = std::string("pipe: ") + std::strerror(errno);
    return std::nullopt;
  }
  const pid_t parent = ::getpid();
  const pid_t pid = ::fork();
  if (pid == 0) ExecChild(cmd, plan, in->read.get(), out->write.get(), parent);
  if (pid < 0) {
    error = std::string("fork: ") + std::strerror(errno);
    return std::nullopt;
  }
  Spawned s{ChildGroup(pid), std::move(out->read), std::move(in->write)};
  ::setpgid(pid, pid);  // also from the parent, so a signal to the group works at once
  ::fcntl(s.input.get(), F_SETFL, O_NONBLOCK);
  if (cmd.stdin_data.empty()) s.input.reset();
  return s;  // the child's ends of the pipes close here
}

// Feeds the child's stdin and hands on its output until it closes it.
class Pipes {
 public:
  Pipes(UniqueFd output, UniqueFd input, std::string_view stdin_data)
      : output_(std::move(output)), input_(std::move(input)), unwritten_(stdin_data) {}

  bool eof() const { return !output_; }

  /// Waits up to `wait` for output or for room on stdin, and moves what is
  /// ready.
  void Pump(std::chrono::milliseconds wait, const OutputSink& deliver) {
    pollfd fds[2] = {{output_.get(), POLLIN, 0}, {input_.get(), POLLOUT, 0}};
    ::poll(fds, input_ ? 2 : 1, static_cast<int>(wait.count()));
    if (fds[0].revents & (POLLIN | POLLHUP | POLLERR)) Read(deliver);
    if (input_ && (fds[1].revents & (POLLOUT | POLLERR | POLLHUP))) Write();
  }

 private:
  void Read(const OutputSink& deliver) {
    char buf[65536];
    ssize_t n = ::read(output_.get(), buf, sizeof buf);
    if (n > 0) {
      deliver(std::string_view(buf, n));
    } else if (n == 0 || (errno != EINTR && errno != EAGAIN)) {
      output_.reset();
    }
  }
  void Write() {
    ssize_t n = ::write(input_.get(), unwritten_.data(), unwritten_.size());
    if (n > 0) unwritten_.remove_prefix(n);
    if (n < 0 || unwritten_.empty()) input_.reset();  // the child sees the end of its input
  }

  UniqueFd output_, input_;
  std::string_view unwritten_;
};

// The deadline and the cancel hook: the first to come sends its signal to
// the whole group (SIGTERM for the deadline, SIGINT for a cancel), then
// SIGKILL if the command is still there after the grace.
class Stopper {
 public:
  Stopper(const Command& cmd, const CancelHook& cancel, Clock::time_point start)
      : cancel_(cancel), deadline_(cmd.timeout ? start + *cmd.timeout : kNever) {}

  /// Whether anything can stop the command before it exits.
  bool armed() const { return deadline_ != kNever || cancel_.requested; }

  /// Sends the signal that is due now, if any, and says why in `result`.
  void Check(const ChildGroup& group, Clock::time_point now, CommandResult& result) {
    switch (stage_) {
      case Stage::kRunning:
        if (now > deadline_) {
          result.timed_out = true;
          Signal(group, SIGTERM, now + kTermGrace);
        } else if (cancel_.requested && cancel_.requested()) {
          result.cancelled = true;
          Signal(group, SIGINT, now + cancel_.grace);
        }
        break;
      case Stage::kSignalled:
        if (now > kill_at_) {
          group.Signal(SIGKILL);
          stage_ = Stage::kKilled;
        }
        break;
      case Stage::kKilled:
        break;
    }
  }

 private:
  static constexpr Clock::time_point kNever = Clock::time_point::max();
  enum class Stage { kRunning, kSignalled, kKilled };

  void Signal(const ChildGroup& group, int sig, Clock::time_point kill_at) {
    group.Signal(sig);
    stage_ = Stage::kSignalled;
    kill_at_ = kill_at;
  }

  const CancelHook& cancel_;
  const Clock::time_point deadline_;
  Clock::time_point kill_at_ = kNever;
  Stage stage_ = Stage::kRunning;
};

// Moves input and output while the command runs, and for kLinger after it
// has exited when something else still holds its output open.
void PumpUntilOutputCloses(ChildGroup& group, Pipes& pipes, Stopper& stopper,
                           const OutputSink& deliver, CommandResult& result) {
  std::optional<Clock::time_point> exited_at;
  while (!pipes.eof()) {
    pipes.Pump(kTick, deliver);
    const auto now = Clock::now();
    if (exited_at) {
      if (now - *exited_at > kLinger) return;
    } else if (group.Reap(false)) {
      exited_at = now;
    } else {
      stopper.Check(group, now, result);
    }
  }
}

// The output is closed, but the command may still run: waits for its exit,
// still under the deadline and the cancel hook.
void WaitForExit(ChildGroup& group, Stopper& stopper, CommandResult& result) {
  if (!stopper.armed()) {
    group.Reap(true);
    return;
  }
  // The command usually exits right after closing its output: look again
  // soon, then less often.
  auto nap = std::chrono::milliseconds(1);
  while (!group.Reap(false)) {
    stopper.Check(group, Clock::now(), result);
    std::this_thread::sleep_for(nap);
    nap = std::min<std::chrono::milliseconds>(nap * 2, kTick);
  }
}

CommandResult Unstartable(std::string reason) {
  CommandResult result;
  result.exit_code = 127;
  result.output = std::move(reason) + "\n";
  return result;
}

}  // namespace

CommandResult RunCommand(const Command& cmd, const OutputSink& sink, const CancelHook& cancel) {
  if (cmd.argv.empty()) return Unstartable("empty command");
  std::string error;
  std::optional<Spawned> child = Spawn(cmd, error);
  if (!child) return Unstartable(error);

  CommandResult result;
  const OutputSink deliver = sink ? sink : [&](std::string_view c) { result.output.append(c); };
  Pipes pipes(std::move(child->output), std::move(child->input), cmd.stdin_data);
  Stopper stopper(cmd, cancel, Clock::now());
  PumpUntilOutputCloses(child->group, pipes, stopper, deliver, result);
  WaitForExit(child->group, stopper, result);
  // A process forked just as the signal went out (make starting a recipe
  // while it handles SIGINT) never got it and outlives the command: once
  // stopped, nothing of the command's group may stay behind.
  if (result.cancelled || result.timed_out) child->group.Signal(SIGKILL);
  result.exit_code = child->group.ExitCode();
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
