// The build client's share of a job, measured with a dry-run cbit-client
// (every command logged, none run) against a real cbit-web and RabbitMQ:
//   - dispatch: vcshook POST sent → the job shows Building, as a reader
//     polling GET /job/<id>/status every millisecond sees it;
//   - the client's own overhead per job: its total time minus the time
//     inside build tools (none in a dry run), as the client logs it.
// Targets (issue): dispatch p50 ≤ 5 ms, p99 ≤ 50 ms; overhead ≤ 50 ms.
#include <cstdio>
#include <fstream>
#include <regex>
#include <sstream>

#include "bench/farm.h"
#include "tests/support/fixture.h"
#include "tests/support/rabbitmq.h"
#include "util/subprocess.h"

namespace cbit::bench {
namespace {

using std::chrono::duration;
using std::chrono::milliseconds;

std::string HostArch() {
  auto r = RunCommand({.argv = {"dpkg", "--print-architecture"}});
  std::string arch = r.output.substr(0, r.output.find('\n'));
  if (!r.ok() || arch.empty()) throw std::runtime_error("dpkg --print-architecture failed");
  return arch;
}

// The client's per-job line: "… delivery→Building N ms, … client overhead M ms".
void ClientFigures(const std::string& log, std::vector<double>& to_building,
                   std::vector<double>& overhead) {
  std::ifstream in(log);
  std::string line;
  static const std::regex kLine(R"(delivery→Building (\d+) ms, .*client overhead (\d+) ms)");
  while (std::getline(in, line)) {
    std::smatch m;
    if (std::regex_search(line, m, kLine)) {
      to_building.push_back(std::stod(m[1]));
      overhead.push_back(std::stod(m[2]));
    }
  }
}

}  // namespace

void RunClientBench(int jobs, bool wait_for_confirm) {
  auto& rabbit = testing::SharedRabbit();
  std::string dir = testing::ScratchDir("bench-client");
  Web web(dir, "sqlite", dir + "/cbit.db", rabbit.options(), wait_for_confirm);
  const std::string arch = HostArch();
  auto c = Connect(web.port());
  MustPut(*c, "/dist", "name=Debian");
  MustPut(*c, "/format", "name=deb");
  MustPut(*c, "/arch", "name=" + arch);
  // A suite (and so a queue) of its own: the controller benchmark leaves
  // its requests in the "bench" queue of the same RabbitMQ node.
  MustPut(*c, "/suite", "name=clientbench");
  MustPut(*c, "/suitearch", "suite=clientbench&arch=" + arch + "&master_weight=1");

  std::string config = dir + "/client.json";
  std::ofstream(config) << R"({"clientid": "build_client_bench", "host_arch": ")" << arch
                        << R"(", "distribution": "Debian", "pkg_format": "deb",
 "suites": ["clientbench"], "buildroot": ")"
                        << dir << R"(/build", "host": "127.0.0.1", "port": )" << rabbit.port()
                        << R"(, "userid": "guest", "password": "guest", "dry_run": true,
 "controller_url": "http://127.0.0.1:)"
                        << web.port()
                        << R"(", "controller_user": "admin", "controller_password": ")" << kPassword
                        << R"(", "builder": "host", "dput_dest": "local"})";
  const std::string client_log = dir + "/client.log";
  Process client({std::string(CBIT_BINARY_DIR) + "/cbit-client", "--config", config}, client_log);
  for (int i = 0; i < 200; ++i) {
    auto r = c->Get("/buildd/build_client_bench/status");
    if (r && r->body == "Active") break;
    std::this_thread::sleep_for(milliseconds(50));
  }

  auto reader = Connect(web.port());
  std::vector<double> building_ms, done_ms;
  for (int i = 0; i < jobs; ++i) {
    // Timed from the POST: the answer may come before or after the request
    // reaches its queue (controller.wait_for_confirm).
    auto sent = Clock::now();
    auto r = c->Post("/job/vcshook", SubmitBody("clientbench", "c" + std::to_string(i)),
                     "application/x-www-form-urlencoded");
    if (!r || r->status != 200) throw std::runtime_error("submission failed");
    std::string id = r->body.substr(r->body.find('[') + 1);
    id = id.substr(0, id.find_first_of(",]"));
    bool seen_building = false;
    for (auto until = sent + std::chrono::seconds(30); Clock::now() < until;) {
      auto h = reader->Get("/job/" + id + "/status");
      std::string body = h ? h->body : "";
      if (!seen_building && body.find("\"Building\"") != std::string::npos) {
        seen_building = true;
        building_ms.push_back(duration<double, std::milli>(Clock::now() - sent).count());
      }
      if (body.find("\"Done\"") != std::string::npos ||
          body.find("\"Failed\"") != std::string::npos) {
        done_ms.push_back(duration<double, std::milli>(Clock::now() - sent).count());
        break;
      }
      std::this_thread::sleep_for(milliseconds(1));
    }
  }
  std::this_thread::sleep_for(milliseconds(300));  // the client logs after its last report
  std::vector<double> to_building, overhead;
  ClientFigures(client_log, to_building, overhead);

  std::printf("\n== build client (dry run, %d jobs one after another)\n", jobs);
  std::printf("POST sent → Building seen     : p50 %.1f ms, p99 %.1f ms (%zu)\n",
              Percentile(building_ms, 0.5), Percentile(building_ms, 0.99), building_ms.size());
  std::printf("POST sent → Done seen         : p50 %.1f ms, p99 %.1f ms (%zu)\n",
              Percentile(done_ms, 0.5), Percentile(done_ms, 0.99), done_ms.size());
  std::printf("client: delivery → Building   : p50 %.0f ms, p99 %.0f ms (its log)\n",
              Percentile(to_building, 0.5), Percentile(to_building, 0.99));
  std::printf("client overhead per job       : p50 %.0f ms, p99 %.0f ms (%zu jobs, its log)\n",
              Percentile(overhead, 0.5), Percentile(overhead, 0.99), overhead.size());
}

}  // namespace cbit::bench
