// Forge pushes survive the controller: the real cbit-web (a process on a
// SQLite file), a push answered 202 while the forge's git server hangs, the
// controller killed (-9) before its worker could handle the push, then the
// git server answering and the controller started again: the push is
// handled and its job created. Also: a full queue is 503 with Retry-After.
#include <gtest/gtest.h>
#include <httplib.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <thread>

#include "tests/support/child_process.h"
#include "tests/support/controller_harness.h"
#include "tests/support/debpkg.h"
#include "tests/support/fixture.h"
#include "tests/support/ports.h"
#include "tests/support/web_process.h"
#include "util/unique_fd.h"
#include "web/webhook_verify.h"

namespace cbit::testing {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

constexpr const char* kSecret = "durable-secret";

// A git server that hangs: connections complete in the kernel's backlog and
// nothing ever answers. Closing it resets them, so a waiting git exits.
class SilentServer {
 public:
  explicit SilentServer(int port) : fd_(socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)) {
    int one = 1;
    setsockopt(fd_.get(), SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(static_cast<std::uint16_t>(port));
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (bind(fd_.get(), reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 || listen(fd_.get(), 8))
      throw std::runtime_error("cannot listen on port " + std::to_string(port));
  }
  /// True once a client waits in the backlog.
  bool WaitForClient(std::chrono::seconds deadline) const {
    pollfd p{fd_.get(), POLLIN, 0};
    return poll(&p, 1, static_cast<int>(deadline.count() * 1000)) == 1;
  }

 private:
  UniqueFd fd_;
};

std::string Payload(const std::string& url, const std::string& before, const std::string& after) {
  return R"({"ref": "refs/heads/main", "before": ")" + before + R"(", "after": ")" + after +
         R"(", "repository": {"name": "hello", "clone_url": ")" + url + R"("}, "commits": []})";
}

httplib::Result Push(httplib::Client& c, const std::string& body) {
  return c.Post("/webhook/github",
                {{"X-GitHub-Event", "push"},
                 {"X-Hub-Signature-256", "sha256=" + web::HmacSha256Hex(kSecret, body)}},
                body, "application/json");
}

TEST(WebhookDurable, APushAcceptedBeforeAKillIsHandledAfterTheRestart) {
  std::string dir = ScratchDir("webhook-durable");
  fs::create_directories(dir + "/forge");
  PackageSpec spec{.name = "hello-durable",
                   .version = "1.0",
                   .suite = "bookworm",
                   .kind = PackageKind::kArchAll};
  GitRepo work = MakeGitRepo(spec, dir + "/work");
  MustRun({"git", "clone", "--quiet", "--bare", work.path, dir + "/forge/hello.git"});
  int git_port = FreePort();
  std::string url = "git://127.0.0.1:" + std::to_string(git_port) + "/hello.git";
  WebSetup setup{
      dir,
      FreePort(),
      FreePort(),
      {{"github", {{"secret", kSecret}}}, {"cache_dir", dir + "/mirrors"}, {"queue_limit", 1}}};
  std::string zero(40, '0');
  std::string body = Payload(url, zero, work.commit);

  {
    auto silent = std::make_unique<SilentServer>(git_port);
    WebProcess web(setup);
    httplib::Client admin("127.0.0.1", setup.port);
    admin.set_basic_auth(kAdminUser, kAdminPassword);
    AddHostTarget(admin, "bookworm");
    auto accepted = Push(admin, body);
    ASSERT_TRUE(accepted);
    EXPECT_EQ(accepted->status, 202) << accepted->body;
    // The worker's clone hangs on the silent server.
    ASSERT_TRUE(silent->WaitForClient(30s)) << web.Log();
    // One push waits, which is the limit: the next is refused, not queued.
    auto full = Push(admin, Payload(url, work.commit, zero.substr(1) + "1"));
    ASSERT_TRUE(full);
    EXPECT_EQ(full->status, 503) << full->body;
    EXPECT_EQ(full->get_header_value("Retry-After"), "60");
    EXPECT_NE(full->body.find("queue is full"), std::string::npos) << full->body;
    web.Kill();
    silent.reset();  // the orphaned git clone gets a reset and exits
  }

  // The forge is back; so is the controller.
  ChildProcess daemon({"/usr/lib/git-core/git-daemon", "--reuseaddr", "--export-all",
                       "--base-path=" + dir + "/forge", "--listen=127.0.0.1",
                       "--port=" + std::to_string(git_port), dir + "/forge"},
                      dir + "/git-daemon.log");
  for (int i = 0; i < 100 && PortFree(git_port); ++i) std::this_thread::sleep_for(100ms);
  WebProcess web(setup);
  httplib::Client anon("127.0.0.1", setup.port);
  nlohmann::json jobs;
  auto until = std::chrono::steady_clock::now() + 60s;
  while (std::chrono::steady_clock::now() < until) {
    auto r = anon.Get("/job?package=hello-durable");
    if (r && r->status == 200 && !(jobs = nlohmann::json::parse(r->body)).empty()) break;
    std::this_thread::sleep_for(200ms);
  }
  ASSERT_EQ(jobs.size(), 1u) << web.Log();
  EXPECT_EQ(web.Stop(), 0);
  daemon.Stop();
}

}  // namespace
}  // namespace cbit::testing
