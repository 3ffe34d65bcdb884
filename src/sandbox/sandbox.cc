#include "sandbox/sandbox.h"

#include <fcntl.h>
#include <grp.h>
#include <linux/close_range.h>
#include <pwd.h>
#include <sched.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <system_error>

#include "sandbox/idmap.h"
#include "sandbox/mounts.h"
#include "util/unique_fd.h"

namespace cbit::sandbox {
namespace {

[[noreturn]] void SetupFailed(const std::string& why) {
  std::fprintf(stderr, "cbit-sandbox: %s\n", why.c_str());
  std::fflush(stderr);
  ::_exit(kSetupFailed);
}

void Must(int rc, const char* what) {
  if (rc != 0) throw std::system_error(errno, std::generic_category(), what);
}

int StatusOf(int wstatus) {
  if (WIFEXITED(wstatus)) return WEXITSTATUS(wstatus);
  if (WIFSIGNALED(wstatus)) return 128 + WTERMSIG(wstatus);
  return kSetupFailed;
}

std::string ReadFile(const char* path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// The caller's subordinate range in `file`; throws naming what to do.
SubIdRange SubIdsOf(const char* file, unsigned long id) {
  struct passwd* pw = ::getpwuid(static_cast<uid_t>(id));
  std::string name = pw != nullptr ? pw->pw_name : "";
  auto range = FindSubIds(ReadFile(file), name, id);
  if (!range) {
    throw std::runtime_error(std::string("no subordinate ids for ") +
                             (name.empty() ? std::to_string(id) : name) + " in " + file +
                             " (scripts/ensure-subids.sh adds them)");
  }
  return *range;
}

// The NULL-terminated array execve wants, pointing into `words`.
std::vector<char*> Pointers(std::vector<std::string>& words) {
  std::vector<char*> out;
  out.reserve(words.size() + 1);
  for (auto& w : words) out.push_back(w.data());
  out.push_back(nullptr);
  return out;
}

// newuidmap or newgidmap on `pid`, from an argument vector.
void RunMapper(const char* tool, pid_t pid, unsigned long id, const SubIdRange& r) {
  std::string map = MapLine(id, r);
  std::vector<std::string> words = {tool, std::to_string(pid)};
  std::istringstream in(map);
  for (std::string w; in >> w;) words.push_back(w);
  std::vector<char*> argv = Pointers(words);
  pid_t child = ::fork();
  if (child == 0) {
    ::execvp(tool, argv.data());
    std::fprintf(stderr, "cbit-sandbox: cannot run %s: %s\n", tool, std::strerror(errno));
    ::_exit(127);
  }
  int st = 0;
  if (child < 0 || ::waitpid(child, &st, 0) != child || StatusOf(st) != 0) {
    throw std::runtime_error(std::string(tool) + " failed (uidmap installed? subordinate ids?)");
  }
}

std::vector<std::string> Environment(const Options& o) {
  std::vector<std::string> env = {
      "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
      "HOME=/root",
      "USER=root",
      "LOGNAME=root",
      "LANG=C.UTF-8",
      "DEBIAN_FRONTEND=noninteractive"};
  env.insert(env.end(), o.env.begin(), o.env.end());
  return env;
}

// One step, in a child of the sandbox's first process: its own network
// namespace when it runs offline, no descriptor but 0-2, a clean environment.
[[noreturn]] void ExecStep(const Options& o, std::size_t index) {
  try {
    bool offline = !o.network_all && static_cast<int>(index) >= o.online_steps;
    if (offline) {
      Must(::unshare(CLONE_NEWNET), "unshare network");
      LoopbackUp();
    }
    Must(::chdir(o.chdir.c_str()), "chdir");
  } catch (const std::exception& e) {
    SetupFailed(e.what());
  }
  ::close_range(3, ~0U, 0);
  std::vector<std::string> env = Environment(o);
  std::vector<char*> envp = Pointers(env);
  std::vector<std::string> words = o.steps[index];
  std::vector<char*> argv = Pointers(words);
  ::execvpe(argv[0], argv.data(), envp.data());
  std::fprintf(stderr, "cbit-sandbox: cannot run %s: %s\n", argv[0], std::strerror(errno));
  ::_exit(127);
}

// Waits for `child`, reaping every other process that ends meanwhile (the
// first process of a PID namespace adopts its orphans).
int WaitFor(pid_t child) {
  for (;;) {
    int st = 0;
    pid_t pid = ::waitpid(-1, &st, 0);
    if (pid == child) return StatusOf(st);
    if (pid < 0 && errno != EINTR) return kSetupFailed;
  }
}

// Options::online_lock, taken before the first online step and let go
// before the first offline one.
class OnlineLock {
 public:
  explicit OnlineLock(const std::string& path) {
    if (path.empty()) return;
    fd_.reset(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    if (!fd_) throw std::system_error(errno, std::generic_category(), "open " + path);
  }
  void Before(bool online_step) {
    if (!fd_) return;
    if (online_step && !held_) {
      Must(::flock(fd_.get(), LOCK_EX), "lock the shared cache");
      held_ = true;
    } else if (!online_step && held_) {
      fd_.reset();
      held_ = false;
    }
  }

 private:
  UniqueFd fd_;
  bool held_ = false;
};

// The sandbox's first process (PID 1 of its namespace): makes the root,
// then runs the steps. Its end kills whatever the steps left running.
[[noreturn]] void Init(const Options& o) {
  if (::prctl(PR_SET_PDEATHSIG, SIGKILL) != 0) SetupFailed("prctl");
  std::optional<OnlineLock> lock;
  try {
    lock.emplace(o.online_lock);  // opened while the host's files are in sight
    if (!o.root.empty()) EnterRoot(o);
    Must(::sethostname(o.hostname.data(), o.hostname.size()), "sethostname");
  } catch (const std::exception& e) {
    SetupFailed(e.what());
  }
  auto fallback = [&o](std::size_t i) { return i < o.fallback.size() && o.fallback[i]; };
  bool previous_ok = true;
  for (std::size_t i = 0; i < o.steps.size(); ++i) {
    if (fallback(i) && previous_ok) continue;
    try {
      lock->Before(static_cast<int>(i) < o.online_steps);
    } catch (const std::exception& e) {
      SetupFailed(e.what());
    }
    // Marks where each step's output begins (the client classifies a
    // failure by the failing step's output alone).
    std::fprintf(stderr, "cbit-sandbox: running step %zu of %zu: %s\n", i + 1, o.steps.size(),
                 o.steps[i][0].c_str());
    pid_t child = ::fork();
    if (child < 0) SetupFailed("fork");
    if (child == 0) ExecStep(o, i);
    int status = WaitFor(child);
    previous_ok = status == 0;
    if (status != 0 && !fallback(i + 1)) {
      std::fprintf(stderr, "cbit-sandbox: step %zu of %zu failed: %s exited with %d\n", i + 1,
                   o.steps.size(), o.steps[i][0].c_str(), status);
      ::_exit(status);
    }
  }
  ::_exit(0);
}

// Enters a new user namespace mapped by a helper child left outside it.
void EnterUserNamespace() {
  unsigned long uid = ::getuid(), gid = ::getgid();
  SubIdRange uids = SubIdsOf("/etc/subuid", uid), gids = SubIdsOf("/etc/subgid", uid);
  int ready[2], done[2];
  Must(::pipe2(ready, O_CLOEXEC), "pipe");
  Must(::pipe2(done, O_CLOEXEC), "pipe");
  pid_t self = ::getpid();
  pid_t mapper = ::fork();
  if (mapper == 0) {
    char c = 0;
    int rc = ::read(ready[0], &c, 1) == 1 ? 0 : 1;
    try {
      if (rc == 0) RunMapper("newuidmap", self, uid, uids);
      if (rc == 0) RunMapper("newgidmap", self, gid, gids);
    } catch (const std::exception& e) {
      std::fprintf(stderr, "cbit-sandbox: %s\n", e.what());
      rc = 1;
    }
    ::_exit(rc);
  }
  if (mapper < 0) throw std::system_error(errno, std::generic_category(), "fork");
  int unshared = ::unshare(CLONE_NEWUSER);
  (void)!::write(ready[1], "x", 1);
  int st = 0;
  ::waitpid(mapper, &st, 0);
  Must(unshared, "unshare user namespace");
  if (StatusOf(st) != 0) throw std::runtime_error("could not map user and group ids");
  Must(::setresgid(0, 0, 0), "setresgid");
  Must(::setresuid(0, 0, 0), "setresuid");
  Must(::setgroups(0, nullptr), "setgroups");
}

// Holds the root shared while the sandbox runs: a root whose update
// replaced it is removed only once no sandbox holds it.
UniqueFd LockRoot(const std::string& root) {
  UniqueFd fd(::open(root.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!fd) throw std::system_error(errno, std::generic_category(), "open root " + root);
  Must(::flock(fd.get(), LOCK_SH), "lock root");
  // A sweep may have removed it between the caller's look-up and the lock.
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0 || st.st_nlink == 0) {
    throw std::runtime_error("root " + root + " was removed (an update replaced it)");
  }
  return fd;
}

}  // namespace

BindMount ParseBind(const std::string& spec, bool read_only) {
  // The last ':': a target never holds one (Check), a host path may.
  auto colon = spec.rfind(':');
  if (colon == std::string::npos || colon == 0 || colon + 1 == spec.size()) {
    throw std::invalid_argument("bind '" + spec + "' is not SOURCE:TARGET");
  }
  return {spec.substr(0, colon), spec.substr(colon + 1), read_only};
}

std::string Check(const Options& o) {
  auto plain = [](const std::string& p) {
    if (p.empty() || p[0] != '/' || p.find_first_of(",:") != std::string::npos) return false;
    for (const auto& part : std::filesystem::path(p)) {
      if (part == "..") return false;
    }
    return true;
  };
  if (o.steps.empty()) return "no command to run";
  for (const auto& s : o.steps)
    if (s.empty() || s[0].empty()) return "an empty command";
  if (o.root.empty()) return "";
  if (!plain(o.root)) return "the root must be an absolute path without ',' ':' or '..'";
  if (!o.writable_root && !plain(o.scratch)) return "--scratch: an absolute path is required";
  for (const auto& b : o.binds) {
    if (!plain(b.target) || b.target == "/") return "bind target '" + b.target + "' is refused";
    if (b.source.empty() || b.source[0] != '/') return "bind source must be an absolute path";
  }
  if (o.chdir.empty() || o.chdir[0] != '/') return "--chdir must be an absolute path";
  return "";
}

int Run(const Options& o) {
  UniqueFd lock;
  pid_t init = -1;
  try {
    if (!o.root.empty()) lock = LockRoot(o.root);
    EnterUserNamespace();
    Must(::unshare(CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWIPC | CLONE_NEWUTS), "unshare");
    init = ::fork();
    if (init == 0) Init(o);
    if (init < 0) throw std::system_error(errno, std::generic_category(), "fork");
  } catch (const std::exception& e) {
    std::fprintf(stderr, "cbit-sandbox: %s\n", e.what());
    return kSetupFailed;
  }
  int st = 0;
  while (::waitpid(init, &st, 0) < 0) {
    if (errno != EINTR) return kSetupFailed;
  }
  return StatusOf(st);
}

}  // namespace cbit::sandbox
