#include "bench/farm.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "tests/support/fixture.h"
#include "util/subprocess.h"
#include "web/auth.h"

namespace cbit::bench {
namespace {

std::atomic<bool> g_interrupted{false};
std::atomic<int> g_running{0};

// The process whose command line holds `word` (a config file's path).
int FindProcess(const std::string& word) {
  for (const auto& entry : std::filesystem::directory_iterator("/proc")) {
    const std::string pid = entry.path().filename();
    if (pid.find_first_not_of("0123456789") != std::string::npos) continue;
    std::ifstream in(entry.path() / "cmdline");
    std::string cmdline((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    std::replace(cmdline.begin(), cmdline.end(), '\0', ' ');
    if (cmdline.find(" " + word) != std::string::npos) return std::stoi(pid);
  }
  throw std::runtime_error("no process runs with " + word);
}

}  // namespace

double Median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v.empty() ? 0 : v[v.size() / 2];
}

double Percentile(std::vector<double> v, double p) {
  std::sort(v.begin(), v.end());
  if (v.empty()) return 0;
  return v[std::min(v.size() - 1, static_cast<std::size_t>(p * v.size()))];
}

int FreePort() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    ::close(fd);
    throw std::runtime_error("no free port");
  }
  ::close(fd);
  return ntohs(addr.sin_port);
}

void InstallStopHandler() {
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
  std::thread([stop_signals] {
    int sig = 0;
    sigwait(&stop_signals, &sig);
    g_interrupted = true;
    for (int i = 0; i < 250 && g_running > 0; ++i)
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    testing::RunExitHooks();
    std::_Exit(130);
  }).detach();
}

std::map<std::string, double> CpuSeconds() {
  static const std::map<std::string, std::string> kComponents{{"cbit-web", "cbit-web"},
                                                              {"postgres", "postgres"},
                                                              {"beam.smp", "rabbitmq"},
                                                              {"cbit-bench", "bench"}};
  std::map<std::string, double> out;
  for (const auto& [comm, name] : kComponents) out[name] = 0;
  const double ticks = static_cast<double>(::sysconf(_SC_CLK_TCK));
  for (const auto& entry : std::filesystem::directory_iterator("/proc")) {
    const std::string pid = entry.path().filename();
    if (pid.find_first_not_of("0123456789") != std::string::npos) continue;
    std::ifstream in(entry.path() / "stat");
    std::string stat;
    if (!std::getline(in, stat)) continue;  // gone meanwhile
    // "pid (comm) state ppid …": comm may hold spaces; fields after it are
    // numbered from 3 (state); utime and stime are fields 14 and 15.
    auto open = stat.find('('), close = stat.rfind(')');
    if (open == std::string::npos || close == std::string::npos) continue;
    auto it = kComponents.find(stat.substr(open + 1, close - open - 1));
    if (it == kComponents.end()) continue;
    std::istringstream rest(stat.substr(close + 2));
    std::string field;
    for (int i = 3; i < 14 && rest >> field; ++i) {
    }
    long utime = 0, stime = 0;
    if (rest >> utime >> stime) out[it->second] += static_cast<double>(utime + stime) / ticks;
  }
  return out;
}

std::string CpuPerOp(const std::map<std::string, double>& before,
                     const std::map<std::string, double>& after, double ops) {
  std::string out;
  double total = 0;
  char buf[64];
  for (const auto& [name, seconds] : after) {
    auto b = before.find(name);
    double ms = (seconds - (b == before.end() ? 0 : b->second)) * 1000 / std::max(ops, 1.0);
    total += ms;
    std::snprintf(buf, sizeof buf, "%s%s %.3f", out.empty() ? "" : ", ", name.c_str(), ms);
    out += buf;
  }
  std::snprintf(buf, sizeof buf, "; total %.3f ms", total);
  return out + buf;
}

Process::Process(std::vector<std::string> argv, std::string log) {
  ++g_running;
  thread_ = std::thread([this, argv = std::move(argv), log = std::move(log)] {
    std::ofstream out(log);
    // die_with_parent: a benchmark killed outright (SIGKILL, or SIGPIPE
    // when its output goes to `head`) leaves no controller running.
    RunCommand({.argv = argv, .die_with_parent = true},
               [&](std::string_view s) {
                 out.write(s.data(), static_cast<std::streamsize>(s.size()));
                 out.flush();
               },
               {.requested = [this] { return stop_ || g_interrupted; },
                .grace = std::chrono::seconds(20)});
    --g_running;
  });
}

Process::~Process() {
  stop_ = true;
  thread_.join();
}

Web::Web(const std::string& dir, const std::string& backend, const std::string& db,
         const queue::AmqpOptions& amqp, bool wait_for_confirm, std::string binary)
    : port_(FreePort()) {
  if (binary.empty()) binary = std::string(CBIT_BINARY_DIR) + "/cbit-web";
  std::string path = dir + "/web.json";
  std::string db_json = backend == "sqlite"
                            ? R"({"backend": "sqlite", "path": ")" + db + R"("})"
                            : R"({"backend": "postgres", "conninfo": ")" + db + R"(", "pool": 8})";
  std::ofstream(path) << R"({"web": {"interface": "127.0.0.1", "port": )" << port_
                      << R"(, "threads": 32, "users": {"admin": ")" << web::HashPassword(kPassword)
                      << R"("}}, "db": )" << db_json
                      << R"(, "controller": {"rabbit_url": "127.0.0.1:)" << amqp.port
                      << R"(", "wait_for_confirm": )"
                      << (wait_for_confirm ? "true" : "false")
                      // The parallel-builds benchmark submits local repositories.
                      << R"(, "allow_local_uris": true}})";
  process_ = std::make_unique<Process>(
      std::vector<std::string>{binary, "--config", path, "--log-level", "warn"}, dir + "/web.log");
  httplib::Client c("127.0.0.1", port_);
  for (int i = 0; i < 200; ++i) {
    if (auto r = c.Get("/status"); r && r->status == 200) {
      pid_ = FindProcess(path);
      return;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  throw std::runtime_error("cbit-web did not start; see " + dir + "/web.log");
}

std::unique_ptr<httplib::Client> Connect(int port) {
  auto c = std::make_unique<httplib::Client>("127.0.0.1", port);
  c->set_keep_alive(true);
  c->set_tcp_nodelay(true);  // headers and body go in two writes: no Nagle delay
  c->set_basic_auth("admin", kPassword);
  c->set_read_timeout(30, 0);
  return c;
}

void MustPut(httplib::Client& c, const std::string& path, const std::string& body) {
  auto r = c.Put(path, body, "application/x-www-form-urlencoded");
  if (!r || r->status != 200) throw std::runtime_error("PUT " + path + " " + body + " failed");
}

std::string SubmitBody(const std::string& suite, const std::string& name) {
  return "package=" + name + "&package_version=1.0-1&suite=" + suite +
         "&distribution=Debian&architecture_list=any&format=deb&method=git"
         "&uri=https://git.example/" +
         name + ".git&vcs_id=0123abcd";
}

}  // namespace cbit::bench
