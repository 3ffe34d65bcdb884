// The server over real sockets: limits, deadlines, refusals before the
// body, streaming, and that slow or idle connections hold no worker.
#include "httpd/server.h"

#include <gtest/gtest.h>

#include <atomic>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <thread>
#include <vector>

#include "httpd/test_client.h"

namespace cbit::httpd {
namespace {
using namespace std::chrono_literals;

class ServerTest : public ::testing::Test {
 protected:
  void Start(Options o = {}) {
    o.interface = "127.0.0.1";
    o.port = 0;
    server_ = std::make_unique<Server>(o, [this](Request& r) { return Admit(r); });
    port_ = server_->Bind();
    thread_ = std::thread([this] { server_->Serve(); });
  }
  void TearDown() override {
    if (server_) server_->Stop();
    if (thread_.joinable()) thread_.join();
  }

  // /secret needs "Authorization: yes"; /echo answers the body's size;
  // /stream is a producer of three chunks; /push an open push stream;
  // /hold blocks until Release().
  Admission Admit(Request& req) {
    if (req.path == "/secret" && req.get_header_value("Authorization") != "yes")
      return {.answer = ErrorResponse(401, "no")};
    if (req.path == "/push") {
      return {.handler = [this](Request&, Response& res) {
        auto s = res.start_push("text/event-stream");
        std::lock_guard lock(mu_);
        pushes_.push_back(s);
      }};
    }
    if (req.path == "/hold") {
      return {.handler = [this](Request&, Response& res) {
        std::unique_lock lock(mu_);
        ++holding_;
        held_.notify_all();
        held_.wait(lock, [&] { return released_; });
        res.set_content("held", "text/plain");
      }};
    }
    if (req.path == "/stream") {
      return {.handler = [](Request&, Response& res) {
        auto n = std::make_shared<int>(0);
        res.set_producer("text/plain", [n](std::string& chunk) {
          chunk = "part" + std::to_string(*n);
          return ++*n <= 3;
        });
      }};
    }
    return {.handler = [](Request& req, Response& res) {
      res.set_content(std::to_string(req.body.size()) + " " + req.get_param_value("q"),
                      "text/plain");
    }};
  }

  // `n` keep-alive connections, each answered once and left open.
  std::vector<std::unique_ptr<RawClient>> HoldConnections(int n) {
    std::vector<std::unique_ptr<RawClient>> held;
    for (int i = 0; i < n; ++i) {
      held.push_back(std::make_unique<RawClient>(port_));
      held.back()->Send("GET /echo HTTP/1.1\r\nHost: x\r\n\r\n");
      EXPECT_EQ(held.back()->Read().status, 200) << i;
    }
    return held;
  }

  // Waits until `n` /hold handlers are blocked; false after 5 s.
  bool Holding(int n) {
    std::unique_lock lock(mu_);
    return held_.wait_for(lock, 5s, [&] { return holding_ >= n; });
  }
  void Release() {
    std::lock_guard lock(mu_);
    released_ = true;
    held_.notify_all();
  }

  std::unique_ptr<Server> server_;
  std::thread thread_;
  int port_ = 0;
  std::mutex mu_;
  std::vector<std::shared_ptr<PushStream>> pushes_;
  std::condition_variable held_;
  int holding_ = 0;
  bool released_ = false;
};

TEST_F(ServerTest, KeepAliveAndDefaultHeaders) {
  Options o;
  o.default_headers = {{"Access-Control-Allow-Origin", "*"}};
  Start(o);
  RawClient c(port_);
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(c.Send("POST /echo?q=a%20b HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello"));
    auto r = c.Read();
    ASSERT_EQ(r.status, 200);
    EXPECT_EQ(r.body, "5 a b");
    EXPECT_TRUE(r.Has("Access-Control-Allow-Origin: *")) << r.head;
  }
}

// However a body arrives — with its head and the next request behind it,
// after its head, or after 100 Continue — the handler gets it whole and the
// next request on the connection is read from where it ended.
TEST_F(ServerTest, ABodyIsReadWholeHoweverItArrives) {
  Start();
  RawClient c(port_);
  ASSERT_TRUE(
      c.Send("POST /echo?q=1 HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello"
             "POST /echo?q=2 HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc"));
  EXPECT_EQ(c.Read().body, "5 1");
  EXPECT_EQ(c.Read().body, "3 2");

  ASSERT_TRUE(c.Send("POST /echo?q=3 HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\n\r\nab"));
  std::this_thread::sleep_for(100ms);
  ASSERT_TRUE(c.Send("cd"));
  EXPECT_EQ(c.Read().body, "4 3");

  ASSERT_TRUE(c.Send(
      "POST /echo?q=4 HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\n"));
  auto cont = c.Read(2s, /*head_only=*/true);
  EXPECT_EQ(cont.status, 100);
  ASSERT_TRUE(c.Send("xy"));
  EXPECT_EQ(c.Read().body, "2 4");
}

TEST_F(ServerTest, ARefusalFromTheHeadIsSentBeforeTheBody) {
  Start();
  RawClient c(port_);
  ASSERT_TRUE(c.Send("POST /secret HTTP/1.1\r\nHost: x\r\nContent-Length: 1000000000\r\n\r\n"));
  auto r = c.Read(2s);
  EXPECT_EQ(r.status, 401);
  EXPECT_TRUE(r.Has("Connection: close")) << r.head;
}

TEST_F(ServerTest, CompressedBodiesAreRefusedWith415) {
  Start();
  RawClient c(port_);
  ASSERT_TRUE(c.Send(
      "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Encoding: gzip\r\nContent-Length: 3\r\n\r\nabc"));
  auto r = c.Read(2s);
  EXPECT_EQ(r.status, 415);
  EXPECT_NE(r.body.find("gzip"), std::string::npos) << r.body;
}

TEST_F(ServerTest, TheBodyLimitHoldsForContentLengthAndChunked) {
  Options o;
  o.max_body_bytes = 1000;
  Start(o);
  RawClient a(port_);
  ASSERT_TRUE(a.Send("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 1001\r\n\r\n"));
  auto r = a.Read(2s);
  EXPECT_EQ(r.status, 413);
  EXPECT_NE(r.body.find("1000 bytes"), std::string::npos) << r.body;

  RawClient b(port_);
  ASSERT_TRUE(b.Send("POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"));
  std::string chunk = "200\r\n" + std::string(512, 'x') + "\r\n";
  b.Send(chunk);
  b.Send(chunk);  // 1024 bytes: over
  EXPECT_EQ(b.Read(2s).status, 413);

  RawClient ok(port_);
  ASSERT_TRUE(ok.Send("POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n" +
                      chunk + "0\r\n\r\n"));
  auto fine = ok.Read(2s);
  EXPECT_EQ(fine.status, 200);
  EXPECT_EQ(fine.body, "512 ");
}

TEST_F(ServerTest, NulInThePathOrQueryIs400AndAHugeHeadIs431) {
  Start();
  EXPECT_EQ(GetStatus(port_, "/echo%00"), 400);
  EXPECT_EQ(GetStatus(port_, "/echo?q=%00"), 400);
  RawClient c(port_);
  c.Send("GET /echo HTTP/1.1\r\nHost: x\r\nX: " + std::string(40000, 'a') + "\r\n\r\n");
  EXPECT_EQ(c.Read(2s).status, 431);
}

TEST_F(ServerTest, HeadAndIdleDeadlinesCloseTheConnection) {
  Options o;
  o.head_timeout = 300ms;
  o.idle_timeout = 300ms;
  Start(o);
  RawClient slow(port_);
  slow.Send("GET /echo HTTP/1.1\r\n");
  EXPECT_TRUE(slow.ClosedWithin(2s));
  RawClient idle(port_);
  EXPECT_TRUE(idle.ClosedWithin(2s));
}

TEST_F(ServerTest, TheConnectionLimitPerAddressHolds) {
  Options o;
  o.max_connections_per_address = 3;
  Start(o);
  auto held = HoldConnections(3);
  RawClient over(port_);
  over.Send("GET /echo HTTP/1.1\r\nHost: x\r\n\r\n");
  auto r = over.Read(2s);
  EXPECT_TRUE(r.status == 503 || r.status == 0) << r.status;
  held.pop_back();
  for (int i = 0; i < 50 && server_->connections() > 2; ++i) std::this_thread::sleep_for(20ms);
  EXPECT_EQ(GetStatus(port_, "/echo"), 200);
}

TEST_F(ServerTest, TheTotalConnectionLimitHolds) {
  Options o;
  o.max_connections = 2;
  Start(o);
  auto held = HoldConnections(2);
  RawClient over(port_);
  over.Send("GET /echo HTTP/1.1\r\nHost: x\r\n\r\n");
  auto r = over.Read(2s);
  EXPECT_TRUE(r.status == 503 || r.status == 0) << r.status;
  EXPECT_TRUE(over.ClosedWithin(2s));
  held.clear();
  for (int i = 0; i < 50 && server_->connections() > 0; ++i) std::this_thread::sleep_for(20ms);
  EXPECT_EQ(GetStatus(port_, "/echo"), 200);
}

// Bodies being read share one memory budget: a body that does not fit is
// refused with 503 before it is read, and a finished request gives its
// share back.
TEST_F(ServerTest, BodiesInFlightShareOneBudget) {
  Options o;
  o.max_body_memory = 1000;
  Start(o);
  RawClient a(port_);
  ASSERT_TRUE(a.Send("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 800\r\n\r\n"));
  std::this_thread::sleep_for(200ms);  // a's body is being read
  RawClient b(port_);
  ASSERT_TRUE(b.Send("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 800\r\n\r\n"));
  auto refused = b.Read(2s);
  EXPECT_EQ(refused.status, 503);
  EXPECT_TRUE(refused.Has("Retry-After: 1")) << refused.head;
  RawClient chunked(port_);
  ASSERT_TRUE(chunked.Send("POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"));
  EXPECT_EQ(chunked.Read(2s).status, 503);  // reserves the body limit, 16 MiB

  ASSERT_TRUE(a.Send(std::string(800, 'a')));
  auto done = a.Read(2s);
  EXPECT_EQ(done.status, 200);
  EXPECT_EQ(done.body, "800 ");
  RawClient c(port_);
  ASSERT_TRUE(c.Send("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 800\r\n\r\n" +
                     std::string(800, 'c')));
  EXPECT_EQ(c.Read(2s).status, 200);
}

TEST_F(ServerTest, SlowConnectionsHoldNoWorker) {
  Options o;
  o.workers = 2;
  Start(o);
  std::vector<std::unique_ptr<RawClient>> slow;
  for (int i = 0; i < 100; ++i) {
    slow.push_back(std::make_unique<RawClient>(port_));
    slow.back()->Send("POST /echo HTTP/1.1\r\nHost: x\r\n");  // the head never ends
  }
  std::vector<std::unique_ptr<RawClient>> bodiless;
  for (int i = 0; i < 50; ++i) {
    bodiless.push_back(std::make_unique<RawClient>(port_));
    bodiless.back()->Send("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\n");
  }
  auto t0 = std::chrono::steady_clock::now();
  for (int i = 0; i < 20; ++i) ASSERT_EQ(GetStatus(port_, "/echo", 1s), 200);
  EXPECT_LT(std::chrono::steady_clock::now() - t0, 1s);
}

TEST_F(ServerTest, AProducerStreamsAChunkedBody) {
  Start();
  RawClient c(port_);
  c.Send("GET /stream HTTP/1.1\r\nHost: x\r\n\r\n");
  auto r = c.Read();
  ASSERT_EQ(r.status, 200);
  EXPECT_TRUE(r.Has("Transfer-Encoding: chunked")) << r.head;
  EXPECT_EQ(r.body, "part0part1part2");
  c.Send("GET /echo HTTP/1.1\r\nHost: x\r\n\r\n");  // still keep-alive
  EXPECT_EQ(c.Read().status, 200);
}

// 200 open push streams hold no thread: ordinary requests are answered
// at once by 2 workers, and every stream gets what is sent to it.
TEST_F(ServerTest, ManyPushStreamsWhileRequestsAreAnswered) {
  Options o;
  o.workers = 2;
  Start(o);
  constexpr int kStreams = 200;
  std::vector<std::unique_ptr<RawClient>> streams;
  for (int i = 0; i < kStreams; ++i) {
    streams.push_back(std::make_unique<RawClient>(port_));
    streams.back()->Send("GET /push HTTP/1.1\r\nHost: x\r\n\r\n");
    ASSERT_EQ(streams.back()->Read(5s, true).status, 200) << i;
  }
  auto t0 = std::chrono::steady_clock::now();
  for (int i = 0; i < 20; ++i) ASSERT_EQ(GetStatus(port_, "/echo", 1s), 200);
  EXPECT_LT(std::chrono::steady_clock::now() - t0, 1s);
  {
    std::lock_guard lock(mu_);
    ASSERT_EQ(pushes_.size(), static_cast<std::size_t>(kStreams));
    for (auto& p : pushes_) {
      EXPECT_TRUE(p->Send("data: hello\n\n"));
      p->Close();
    }
  }
  // Each stream got its event as one chunk, then the last chunk.
  for (auto& s : streams) {
    std::string rest;
    EXPECT_TRUE(s->ClosedWithin(5s));
  }
  // A stream whose client went away refuses further events.
  streams.clear();
}

// A stream whose client stops reading is closed once a write has waited
// write_timeout, long before the backlog limit is reached.
TEST_F(ServerTest, AStreamWhoseClientStopsReadingIsClosed) {
  Options o;
  o.write_timeout = 500ms;
  o.max_push_backlog_bytes = std::size_t{1} << 30;
  Start(o);
  RawClient reader(port_);
  reader.Send("GET /push HTTP/1.1\r\nHost: x\r\n\r\n");
  ASSERT_EQ(reader.Read(5s, true).status, 200);
  std::shared_ptr<PushStream> stream;
  {
    std::lock_guard lock(mu_);
    ASSERT_EQ(pushes_.size(), 1U);
    stream = pushes_.front();
  }
  // 6.4 MB/s, which the socket buffers (several MB) absorb for a second or so.
  const std::string piece(64 << 10, 'e');
  auto deadline = std::chrono::steady_clock::now() + 10s;
  while (stream->Send(piece) && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(10ms);
  EXPECT_TRUE(stream->closed());
}

TEST_F(ServerTest, StopFinishesARequestInFlight) {
  Start();
  RawClient c(port_);
  c.Send("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\n\r\n");
  std::thread stopper([this] {
    std::this_thread::sleep_for(100ms);
    server_->Stop();
  });
  c.Send("body");
  auto r = c.Read(5s);
  stopper.join();
  EXPECT_EQ(r.status, 200);
}

// A connection accepted just before the stop whose request arrives after
// it (a rolling restart) is answered, not closed unanswered; one that has
// been answered and waits idle is closed at once.
TEST_F(ServerTest, StopAnswersTheFirstRequestOfAConnectionAcceptedBeforeIt) {
  Start();
  auto idle = HoldConnections(1);
  RawClient fresh(port_);
  while (server_->connections() < 2) std::this_thread::sleep_for(1ms);
  std::thread stopper([this] { server_->Stop(); });
  while (server_->connections() > 1) std::this_thread::sleep_for(1ms);  // the idle one went
  std::this_thread::sleep_for(100ms);
  fresh.Send("GET /echo?q=late HTTP/1.1\r\nHost: x\r\n\r\n");
  auto r = fresh.Read(5s);
  stopper.join();
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "0 late");
  EXPECT_TRUE(r.Has("Connection: close")) << r.head;
}

// Connections the kernel completed but the server had not accepted when
// the stop began (its only I/O thread busy) are accepted and answered, not
// reset with their requests sent.
TEST_F(ServerTest, StopAnswersConnectionsNotYetAccepted) {
  Options o;
  o.io_threads = 1;
  o.fast = [](Request& req) -> std::optional<Response> {
    if (req.path == "/block") std::this_thread::sleep_for(500ms);  // holds the I/O thread
    return std::nullopt;
  };
  Start(o);
  RawClient busy(port_);
  busy.Send("GET /block HTTP/1.1\r\nHost: x\r\n\r\n");
  std::this_thread::sleep_for(100ms);
  std::vector<std::unique_ptr<RawClient>> waiting;
  for (int i = 0; i < 3; ++i) {
    waiting.push_back(std::make_unique<RawClient>(port_));
    ASSERT_TRUE(waiting.back()->connected());
    waiting.back()->Send("GET /echo?q=" + std::to_string(i) + " HTTP/1.1\r\nHost: x\r\n\r\n");
  }
  std::thread stopper([this] { server_->Stop(); });
  EXPECT_EQ(busy.Read(5s).status, 200);
  for (int i = 0; i < 3; ++i) {
    auto r = waiting[i]->Read(5s);
    EXPECT_EQ(r.status, 200) << i << " " << r.head;
    EXPECT_EQ(r.body, "0 " + std::to_string(i));
  }
  stopper.join();
}

// The Fast hook answers /fast on the I/O thread, throws on /throw and
// declines everything else.
Options FastOptions() {
  Options o;
  o.default_headers = {{"Access-Control-Allow-Origin", "*"}};
  o.fast = [](Request& req) -> std::optional<Response> {
    if (req.path == "/throw") throw std::runtime_error("no");
    if (req.path != "/fast") return std::nullopt;
    Response res;
    res.set_content("fast " + req.method, "text/plain");
    return res;
  };
  return o;
}

TEST_F(ServerTest, TheFastHookAnswersARequestWithoutABody) {
  Start(FastOptions());
  RawClient c(port_);
  ASSERT_TRUE(c.Send("GET /fast HTTP/1.1\r\nHost: x\r\n\r\n"));
  auto r = c.Read();
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "fast GET");
  EXPECT_TRUE(r.Has("Access-Control-Allow-Origin: *")) << r.head;
  EXPECT_TRUE(r.Has("Content-Length: 8")) << r.head;
  ASSERT_TRUE(c.Send("HEAD /fast HTTP/1.1\r\nHost: x\r\n\r\n"));
  r = c.Read(5s, /*head_only=*/true);
  ASSERT_EQ(r.status, 200);
  EXPECT_TRUE(r.Has("Content-Length: 9")) << r.head;
  EXPECT_EQ(server_->fast_answers(), 2u);
  // The connection is kept and goes on the normal way when the hook declines.
  ASSERT_TRUE(c.Send("GET /other?q=n HTTP/1.1\r\nHost: x\r\n\r\n"));
  r = c.Read();
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "0 n");
  EXPECT_EQ(server_->fast_answers(), 2u);
}

TEST_F(ServerTest, AThrowingFastHookFallsThrough) {
  Start(FastOptions());
  RawClient c(port_);
  ASSERT_TRUE(c.Send("GET /throw HTTP/1.1\r\nHost: x\r\n\r\n"));
  auto r = c.Read();
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "0 ");
  EXPECT_EQ(server_->fast_answers(), 0u);
}

TEST_F(ServerTest, ARequestWithABodyNeverTakesTheFastPath) {
  Start(FastOptions());
  RawClient c(port_);
  ASSERT_TRUE(c.Send("GET /fast HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello"));
  auto r = c.Read();
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "5 ");
  ASSERT_TRUE(
      c.Send("GET /fast HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
             "3\r\nabc\r\n0\r\n\r\n"));
  r = c.Read();
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "3 ");
  EXPECT_EQ(server_->fast_answers(), 0u);
}

// With two I/O threads, the one that read a request runs its handler and
// writes the answer itself, without a hand-off to a worker and back; a
// request that comes while one I/O thread is busy so goes to the workers,
// and the other I/O thread stays free for everyone else.
TEST_F(ServerTest, AnIOThreadRunsAHandlerWhileAnotherStaysFree) {
  Options o = FastOptions();
  o.io_threads = 2;
  o.workers = 1;
  Start(o);
  RawClient c(port_);
  for (int i = 0; i < 5; ++i) {
    ASSERT_TRUE(c.Send("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc"));
    EXPECT_EQ(c.Read().body, "3 ") << i;
  }
  EXPECT_EQ(server_->inline_requests(), 5u);

  RawClient first(port_), second(port_);
  ASSERT_TRUE(first.Send("GET /hold HTTP/1.1\r\nHost: x\r\n\r\n"));
  ASSERT_TRUE(Holding(1));
  ASSERT_TRUE(second.Send("GET /hold HTTP/1.1\r\nHost: x\r\n\r\n"));
  ASSERT_TRUE(Holding(2));  // on the only worker
  EXPECT_EQ(server_->inline_requests(), 6u);
  // Both blocked, the free I/O thread still answers.
  RawClient third(port_);
  ASSERT_TRUE(third.Send("GET /fast HTTP/1.1\r\nHost: x\r\n\r\n"));
  EXPECT_EQ(third.Read(2s).status, 200);
  Release();
  EXPECT_EQ(first.Read().body, "held");
  EXPECT_EQ(second.Read().body, "held");
  // The slot is given back: the next request runs on an I/O thread again.
  ASSERT_TRUE(c.Send("GET /echo HTTP/1.1\r\nHost: x\r\n\r\n"));
  EXPECT_EQ(c.Read().status, 200);
  EXPECT_EQ(server_->inline_requests(), 7u);
}

TEST_F(ServerTest, OneIOThreadRunsNoHandler) {
  Options o;
  o.io_threads = 1;
  Start(o);
  RawClient c(port_);
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(c.Send("GET /echo HTTP/1.1\r\nHost: x\r\n\r\n"));
    EXPECT_EQ(c.Read().status, 200);
  }
  EXPECT_EQ(server_->inline_requests(), 0u);
}

}  // namespace
}  // namespace cbit::httpd
