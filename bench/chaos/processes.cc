#include "bench/chaos/processes.h"

#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

namespace cbit::chaos {
namespace {

namespace fs = std::filesystem;

std::vector<pid_t> AllPids() {
  std::vector<pid_t> out;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator("/proc", ec)) {
    const std::string name = entry.path().filename();
    if (name.find_first_not_of("0123456789") == std::string::npos) out.push_back(std::stoi(name));
  }
  return out;
}

// The parent's pid from /proc/<pid>/stat ("pid (comm) state ppid …"); 0 when gone.
pid_t ParentOf(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string stat;
  if (!std::getline(in, stat)) return 0;
  auto close = stat.rfind(')');
  if (close == std::string::npos) return 0;
  std::istringstream rest(stat.substr(close + 2));
  char state = 0;
  pid_t ppid = 0;
  rest >> state >> ppid;
  return ppid;
}

}  // namespace

void SignalTree(pid_t root, int sig) {
  std::multimap<pid_t, pid_t> children;
  for (pid_t pid : AllPids()) children.emplace(ParentOf(pid), pid);
  std::vector<pid_t> todo{root};
  while (!todo.empty()) {
    pid_t pid = todo.back();
    todo.pop_back();
    ::kill(pid, sig);
    auto [begin, end] = children.equal_range(pid);
    for (auto it = begin; it != end; ++it) todo.push_back(it->second);
  }
}

std::vector<std::string> ProcessesMatching(const std::string& dir, const std::string& tag) {
  std::vector<std::string> out;
  for (pid_t pid : AllPids()) {
    if (pid == ::getpid()) continue;
    const std::string proc = "/proc/" + std::to_string(pid);
    std::ifstream in(proc + "/cmdline");
    std::string cmdline((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    std::replace(cmdline.begin(), cmdline.end(), '\0', ' ');
    std::error_code ec;
    std::string cwd = fs::read_symlink(proc + "/cwd", ec).string();
    if (cmdline.empty()) continue;  // a kernel thread, or gone meanwhile
    for (const std::string& seen : {cmdline, cwd}) {
      if (seen.find(dir) != std::string::npos && seen.find(tag) != std::string::npos) {
        out.push_back(std::to_string(pid) + " " + cmdline);
        break;
      }
    }
  }
  return out;
}

}  // namespace cbit::chaos
