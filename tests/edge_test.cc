// The controller's HTTP edge attacked over real sockets, as someone on the
// network without credentials would: compressed and oversized bodies, slow
// and idle connections, bodies never sent, range floods and symlinks on
// /debian/, NUL bytes, and form values cut short.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <thread>

#include "httpd/test_client.h"
#include "queue/fake_publisher.h"
#include "tests/support/controller_harness.h"
#include "tests/support/databases.h"
#include "tests/support/fixture.h"

namespace cbit::testing {
namespace {
namespace fs = std::filesystem;
using httpd::RawClient;
using namespace std::chrono_literals;

// admin:test-password (kAdminUser, kAdminPassword)
constexpr const char* kAuth = "Authorization: Basic YWRtaW46dGVzdC1wYXNzd29yZA==\r\n";

long RssKiB() {
  std::ifstream in("/proc/self/status");
  std::string line;
  while (std::getline(in, line))
    if (line.rfind("VmRSS:", 0) == 0) return std::stol(line.substr(6));
  return 0;
}

class Edge : public ::testing::Test {
 protected:
  void SetUp() override {
    repo_ = ScratchDir("repo");
    fs::create_directories(repo_ + "/dists/bookworm");
    std::ofstream(repo_ + "/dists/bookworm/Release") << "Origin: cbit\nSuite: bookworm\n";
    secret_ = ScratchDir("outside") + "/secret";
    std::ofstream(secret_) << "not for the network";
    fs::create_symlink(secret_, repo_ + "/dists/bookworm/leak");
    h_ = std::make_unique<ControllerHarness>(OpenTestDatabase("sqlite"), publisher_,
                                             "localhost:18080", web::WebhookConfig{}, repo_, false,
                                             [](web::Config& c) {
                                               c.threads = 8;
                                               c.max_connections_per_address = 400;
                                               c.head_timeout = 10;
                                             });
    ASSERT_NO_FATAL_FAILURE(h_->AddOneTarget("amd64"));
  }

  std::string Submission(const std::string& uri) {
    return "package=hello&package_version=1.0&suite=bookworm&distribution=Debian"
           "&architecture_list=any&format=deb&method=git&vcs_id=v1&uri=" +
           uri;
  }

  std::string repo_, secret_;
  queue::FakePublisher publisher_;
  std::unique_ptr<ControllerHarness> h_;
};

// A gzip bomb would inflate before credentials or limits; it is refused.
TEST_F(Edge, AGzipBodyIsRefusedWith415) {
  RawClient c(h_->port());
  std::string body(64, 'x');
  c.Send(std::string("POST /job/vcshook HTTP/1.1\r\nHost: x\r\n") + kAuth +
         "Content-Type: application/x-www-form-urlencoded\r\nContent-Encoding: gzip\r\n"
         "Content-Length: " +
         std::to_string(body.size()) + "\r\n\r\n" + body);
  auto r = c.Read(5s);
  EXPECT_EQ(r.status, 415) << r.head << r.body;
  EXPECT_NE(r.body.find("gzip"), std::string::npos) << r.body;
}

// The 16 MiB cap holds for a chunked body: 413, and the body is not kept.
TEST_F(Edge, AChunkedBodyOverTheCapIs413AndMemoryStaysBounded) {
  long before = RssKiB();
  RawClient c(h_->port());
  ASSERT_TRUE(c.Send(std::string("POST /job/vcshook HTTP/1.1\r\nHost: x\r\n") + kAuth +
                     "Content-Type: application/x-www-form-urlencoded\r\n"
                     "Transfer-Encoding: chunked\r\n\r\n"));
  const std::string chunk = "100000\r\n" + std::string(1 << 20, 'a') + "\r\n";  // 1 MiB
  for (int i = 0; i < 64 && c.Send(chunk); ++i) {
  }
  c.Send("0\r\n\r\n");
  auto r = c.Read(10s);
  EXPECT_EQ(r.status, 413) << r.head << r.body;
  EXPECT_NE(r.body.find("16777216 bytes"), std::string::npos) << r.body;
  EXPECT_LT(RssKiB() - before, 40 << 10) << "RSS grew from " << before << " KiB";
}

// More slow connections than workers, each trickling a header line a
// second: GET /job/<id> is still answered at once.
TEST_F(Edge, SlowConnectionsDoNotStarveOthers) {
  auto s = h_->admin().Post("/job/vcshook", Submission("https://git.example/hello.git"),
                            "application/x-www-form-urlencoded");
  ASSERT_TRUE(s);
  ASSERT_EQ(s->status, 200) << s->body;
  std::vector<std::unique_ptr<RawClient>> slow;
  for (int i = 0; i < 200; ++i) {
    slow.push_back(std::make_unique<RawClient>(h_->port()));
    ASSERT_TRUE(slow.back()->Send("GET /job/1 HTTP/1.1\r\nHost: x\r\n"));
  }
  std::chrono::steady_clock::duration worst{};
  for (int second = 0; second < 3; ++second) {
    for (auto& c : slow) c->Send("X-Slow: 1\r\n");
    for (int i = 0; i < 10; ++i) {
      auto t0 = std::chrono::steady_clock::now();
      EXPECT_EQ(httpd::GetStatus(h_->port(), "/job/1", 2s), 200);
      worst = std::max(worst, std::chrono::steady_clock::now() - t0);
      std::this_thread::sleep_for(100ms);
    }
  }
  EXPECT_LT(worst, 200ms);
}

TEST_F(Edge, APerAddressConnectionLimitHolds) {
  // The harness's own clients hold a connection or two of the 400.
  std::vector<std::unique_ptr<RawClient>> held;
  for (int i = 0; i < 420; ++i) {
    held.push_back(std::make_unique<RawClient>(h_->port()));
    ASSERT_TRUE(held.back()->connected());
  }
  int ok = 0, refused = 0;
  for (auto& c : held) {
    c->Send("GET /arch HTTP/1.1\r\nHost: x\r\n\r\n");
    int status = c->Read(5s).status;
    ok += status == 200;
    refused += status == 503 || status == 0;
  }
  EXPECT_LE(ok, 400);
  EXPECT_GE(ok, 395);
  EXPECT_EQ(ok + refused, 420);
  held.clear();
  // Closed ones are counted out.
  for (int i = 0; i < 100 && httpd::GetStatus(h_->port(), "/arch") != 200; ++i)
    std::this_thread::sleep_for(50ms);
  EXPECT_EQ(httpd::GetStatus(h_->port(), "/arch"), 200);
}

// Credentials are checked from the head: a client that announces a large
// body and never sends it gets 401 at once, and the connection is closed.
TEST_F(Edge, A401IsSentBeforeTheBodyIsRead) {
  RawClient c(h_->port());
  ASSERT_TRUE(
      c.Send("PUT /arch HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\n"
             "Content-Length: 100000000\r\n\r\n"));
  auto t0 = std::chrono::steady_clock::now();
  auto r = c.Read(3s);
  EXPECT_EQ(r.status, 401) << r.head;
  EXPECT_LT(std::chrono::steady_clock::now() - t0, 1s);
  EXPECT_TRUE(r.Has("Connection: close")) << r.head;
}

TEST_F(Edge, ManyRangesGetTheWholeFileNeverCopies) {
  const std::string file = "/debian/dists/bookworm/Release";
  const std::size_t size = fs::file_size(repo_ + "/dists/bookworm/Release");
  std::string ranges = "Range: bytes=0-";
  for (int i = 0; i < 200; ++i) ranges += ",0-";
  RawClient c(h_->port());
  c.Send("GET " + file + " HTTP/1.1\r\nHost: x\r\n" + ranges + "\r\n\r\n");
  auto many = c.Read();
  EXPECT_EQ(many.status, 200) << many.head;
  EXPECT_EQ(many.body.size(), size);
  c.Send("GET " + file + " HTTP/1.1\r\nHost: x\r\nRange: bytes=2-5\r\n\r\n");
  auto one = c.Read();
  EXPECT_EQ(one.status, 206) << one.head;
  EXPECT_EQ(one.body, "igin");
  c.Send("HEAD " + file + " HTTP/1.1\r\nHost: x\r\n\r\n");
  auto head = c.Read(5s, true);
  EXPECT_EQ(head.status, 200);
  EXPECT_TRUE(head.Has("Content-Length: " + std::to_string(size))) << head.head;
}

TEST_F(Edge, ASymlinkOutOfTheRepositoryIsNotServed) {
  EXPECT_EQ(httpd::GetStatus(h_->port(), "/debian/dists/bookworm/Release"), 200);
  EXPECT_EQ(httpd::GetStatus(h_->port(), "/debian/dists/bookworm/leak"), 404);
  EXPECT_EQ(httpd::GetStatus(h_->port(), "/debian/dists/bookworm/%2e%2e/%2e%2e/%2e%2e/outside"),
            404);
}

TEST_F(Edge, NulIsRefusedInPathQueryAndForm) {
  EXPECT_EQ(httpd::GetStatus(h_->port(), "/job/1%00"), 400);
  EXPECT_EQ(httpd::GetStatus(h_->port(), "/job?package=a%00b"), 400);
  auto r = h_->admin().Post("/job/vcshook", Submission("https://git.example/x%00y.git"),
                            "application/x-www-form-urlencoded");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 400) << r->body;
  EXPECT_NE(r->body.find("%00"), std::string::npos) << r->body;
}

// uri=https://…?a=b, sent unencoded as curl --data does, is stored whole.
TEST_F(Edge, AFormValueKeepsEveryCharacter) {
  const std::string uri = "https://git.example/hello.git?a=b=c";
  auto r = h_->admin().Post("/job/vcshook", Submission(uri), "application/x-www-form-urlencoded");
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200) << r->body;
  auto sent = nlohmann::json::parse(publisher_.sent().back().body);
  EXPECT_EQ(sent["transport"]["uri"], uri);
  auto q = h_->anon().Get("/job?package=hello&version=1.0");
  ASSERT_TRUE(q);
  EXPECT_EQ(nlohmann::json::parse(q->body).size(), 1u) << q->body;
}

TEST_F(Edge, UnknownMethodsAndWrongMethods) {
  RawClient c(h_->port());
  c.Send("BREW /job HTTP/1.1\r\nHost: x\r\n\r\n");
  auto brew = c.Read();
  EXPECT_EQ(brew.status, 501) << brew.head;
  EXPECT_NE(brew.body.find("BREW"), std::string::npos) << brew.body;
  RawClient d(h_->port());
  d.Send("PATCH /job HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_EQ(d.Read().status, 501);
  RawClient e(h_->port());
  e.Send(std::string("DELETE /job/status HTTP/1.1\r\nHost: x\r\n") + kAuth + "\r\n");
  auto wrong = e.Read();
  EXPECT_EQ(wrong.status, 405) << wrong.head;
  EXPECT_TRUE(wrong.Has("Allow: GET")) << wrong.head;
}

// Route patterns are matched with std::regex, which recursed once per
// character of the path until a 31 kB path overflowed the stack.
TEST_F(Edge, ALongPathIs414NotACrash) {
  RawClient c(h_->port());
  c.Send("GET /job/" + std::string(31000, '1') + " HTTP/1.1\r\nHost: x\r\n\r\n");
  auto long_path = c.Read();
  EXPECT_EQ(long_path.status, 414) << long_path.head;
  RawClient d(h_->port());
  d.Send("GET /arch HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_EQ(d.Read().status, 200);
}

}  // namespace
}  // namespace cbit::testing

namespace cbit::testing {
namespace {

// The controller closes an idle keep-alive connection after
// web.idle_timeout; the clients' next request opens a new one.
TEST_F(Edge, AnIdleKeepAliveConnectionIsClosedCleanly) {
  ASSERT_EQ(h_->admin().Get("/arch")->status, 200);
  std::this_thread::sleep_for(6s);
  auto r = h_->admin().Get("/arch");
  ASSERT_TRUE(r) << httplib::to_string(r.error());
  EXPECT_EQ(r->status, 200);
}

}  // namespace
}  // namespace cbit::testing
