// Parallel builds: builds per minute of one cbit-client with `jobs: 1`
// against `jobs: 2`, on this machine. The example package (examples/
// hello-cbit) under N names, each in a git repository of its own, is
// submitted all at once to a queue of the run's own; the client builds it
// (builder "host", or "isolated" over a prepared root) and dputs into a
// local directory. A run lasts from the first POST until the last job is
// Done. Runs alternate (1, 2, 1, 2, …) so the machine's drift falls on both.
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "bench/farm.h"
#include "client/upload.h"
#include "tests/support/fixture.h"
#include "tests/support/rabbitmq.h"
#include "util/subprocess.h"

namespace cbit::bench {
namespace {
namespace fs = std::filesystem;
using std::chrono::duration;

std::string Must(const std::vector<std::string>& argv, const std::string& cwd = "") {
  CommandResult r = RunCommand({.argv = argv, .cwd = cwd, .timeout = std::chrono::minutes(10)});
  if (!r.ok()) throw std::runtime_error(argv.front() + " failed: " + r.output);
  return r.output.substr(0, r.output.find('\n'));
}

std::string Replaced(std::string text, const std::string& from, const std::string& to) {
  for (auto at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size()))
    text.replace(at, from.size(), to);
  return text;
}

struct Repo {
  std::string name, path, commit;
};

// The example package renamed `name` (every file naming it), committed in a
// git repository of its own.
Repo ExampleAs(const std::string& name, const std::string& dir) {
  const fs::path from = fs::path(CBIT_SOURCE_DIR) / "examples" / "hello-cbit";
  const fs::path to = fs::path(dir) / name;
  for (const auto& e : fs::recursive_directory_iterator(from)) {
    fs::path target = to / Replaced(fs::relative(e.path(), from).string(), "hello-cbit", name);
    if (e.is_directory()) {
      fs::create_directories(target);
      continue;
    }
    fs::create_directories(target.parent_path());
    std::ifstream in(e.path());
    std::stringstream text;
    text << in.rdbuf();
    std::ofstream(target) << Replaced(text.str(), "hello-cbit", name);
    fs::permissions(target, fs::status(e.path()).permissions());
  }
  const std::string p = to.string();
  Must({"git", "init", "-q", "-b", "main", p});
  Must({"git", "-C", p, "add", "-A"});
  Must({"git", "-C", p, "-c", "user.name=bench", "-c", "user.email=bench@example.org", "commit",
        "-q", "-m", name});
  return {name, p, Must({"git", "-C", p, "rev-parse", "HEAD"})};
}

struct Run {
  int jobs = 0;
  double seconds = 0;
  double builds_per_minute = 0;
};

std::string ClientConfig(const std::string& run_dir, const std::string& suite, int jobs, int web,
                         const ParallelOptions& o) {
  const std::string dput = run_dir + "/dput.cf", incoming = run_dir + "/incoming";
  fs::create_directories(incoming);
  if (auto err = client::WriteLocalDputConfig(dput, "local", incoming))
    throw std::runtime_error(*err);
  std::ostringstream c;
  c << R"({"clientid": "build_client_parallel", "host_arch": ")" << o.arch
    << R"(", "distribution": "Debian", "suites": [")" << suite << R"("], "buildroot": ")" << run_dir
    << R"(/build", "host": "127.0.0.1", "port": )" << testing::SharedRabbit().port()
    << R"(, "userid": "guest", "password": "guest", "controller_url": "http://127.0.0.1:)" << web
    << R"(", "controller_user": "admin", "controller_password": ")" << kPassword
    << R"(", "builder": ")" << o.builder << R"(", "roots_dir": ")" << o.roots_dir
    << R"(", "dput_dest": "local", "dput_config": ")" << dput << R"(", "jobs": )" << jobs << "}";
  const std::string path = run_dir + "/client.json";
  std::ofstream(path) << c.str();
  return path;
}

// Submits every package to `suite`; returns the jobs' ids.
std::vector<std::string> SubmitAll(httplib::Client& c, const std::string& suite,
                                   const std::vector<Repo>& repos) {
  std::vector<std::string> ids;
  for (const Repo& r : repos) {
    auto a = c.Post("/job/vcshook",
                    "package=" + r.name + "&package_version=1.0&suite=" + suite +
                        "&distribution=Debian&architecture_list=all&format=deb&method=git&uri=" +
                        r.path + "&vcs_id=" + r.commit,
                    "application/x-www-form-urlencoded");
    if (!a || a->status != 200) throw std::runtime_error("submission failed");
    std::string id = a->body.substr(a->body.find('[') + 1);
    ids.push_back(id.substr(0, id.find_first_of(",]")));
  }
  return ids;
}

// Waits until every job is Done; throws naming one that failed.
void WaitAllDone(httplib::Client& c, std::vector<std::string> ids) {
  for (auto until = Clock::now() + std::chrono::minutes(30); !ids.empty();) {
    if (Clock::now() > until) throw std::runtime_error("jobs still unfinished after 30 min");
    for (auto it = ids.begin(); it != ids.end();) {
      auto r = c.Get("/job/" + *it + "/status");
      std::string body = r ? r->body : "";
      if (body.find("\"Failed\"") != std::string::npos ||
          body.find("\"Cancelled\"") != std::string::npos)
        throw std::runtime_error("job " + *it + " did not build: " + body);
      it = body.find("\"Done\"") != std::string::npos ? ids.erase(it) : it + 1;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
}

// The client of one run: `jobs` at once on the run's own suite, until
// every package is Done.
Run OneRun(httplib::Client& c, const std::string& dir, int number, int jobs, int web,
           const std::vector<Repo>& repos, const ParallelOptions& o) {
  const std::string suite = "parallel" + std::to_string(number);
  MustPut(c, "/suite", "name=" + suite);
  MustPut(c, "/suitearch", "suite=" + suite + "&arch=" + o.arch + "&master_weight=1");
  const std::string run_dir = dir + "/run" + std::to_string(number);
  fs::create_directories(run_dir);
  std::string config = ClientConfig(run_dir, suite, jobs, web, o);
  Process client({std::string(CBIT_BINARY_DIR) + "/cbit-client", "--config", config},
                 run_dir + "/client.log");
  for (int i = 0; i < 200; ++i) {
    auto r = c.Get("/buildd/build_client_parallel/status");
    if (r && r->body == "Active") break;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  auto start = Clock::now();
  WaitAllDone(c, SubmitAll(c, suite, repos));
  Run run{jobs, duration<double>(Clock::now() - start).count(), 0};
  run.builds_per_minute = 60.0 * static_cast<double>(repos.size()) / run.seconds;
  return run;
}

// The run's suite builds in the prepared root (a link named after it), the
// link removed after the run.
Run OneRunInRoot(httplib::Client& c, const std::string& dir, int number, int jobs, int web,
                 const std::vector<Repo>& repos, const ParallelOptions& o) {
  if (o.builder != "isolated") return OneRun(c, dir, number, jobs, web, repos, o);
  fs::path link = fs::path(o.roots_dir) / ("parallel" + std::to_string(number) + "-" + o.arch);
  fs::create_directory_symlink(fs::path(o.roots_dir) / o.root, link);
  try {
    Run r = OneRun(c, dir, number, jobs, web, repos, o);
    fs::remove(link);
    return r;
  } catch (...) {
    fs::remove(link);
    throw;
  }
}

}  // namespace

void RunParallelBench(int packages, int rounds, ParallelOptions o) {
  std::string dir = testing::ScratchDir("bench-parallel");
  Web web(dir, "sqlite", dir + "/cbit.db", testing::SharedRabbit().options());
  o.arch = Must({"dpkg", "--print-architecture"});
  if (o.root.empty()) o.root = "bookworm-" + o.arch;
  auto c = Connect(web.port());
  MustPut(*c, "/dist", "name=Debian");
  MustPut(*c, "/format", "name=deb");
  MustPut(*c, "/arch", "name=" + o.arch);
  std::vector<Repo> repos;
  for (int i = 1; i <= packages; ++i) {
    char name[32];
    std::snprintf(name, sizeof name, "hello-cbit-%02d", i);
    repos.push_back(ExampleAs(name, dir + "/src"));
  }
  std::printf("\n== parallel builds: %d example packages (arch:all), builder %s, %ld cores\n",
              packages, o.builder.c_str(), sysconf(_SC_NPROCESSORS_ONLN));
  std::map<int, std::vector<double>> rates;
  int number = 0;
  for (int round = 1; round <= rounds; ++round) {
    for (int jobs : {1, 2}) {
      Run r = OneRunInRoot(*c, dir, ++number, jobs, web.port(), repos, o);
      rates[jobs].push_back(r.builds_per_minute);
      std::printf("round %d, jobs %d: %d builds in %.1f s: %.1f builds/min\n", round, jobs,
                  packages, r.seconds, r.builds_per_minute);
    }
  }
  double one = Median(rates[1]), two = Median(rates[2]);
  std::printf("median builds/min: jobs 1: %.1f, jobs 2: %.1f (× %.2f)\n", one, two, two / one);
}

}  // namespace cbit::bench
