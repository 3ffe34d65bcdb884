#include "metricsd/listener.h"

#include <gtest/gtest.h>

#include <atomic>
#include <memory>
#include <thread>
#include <vector>

#include "httpd/test_client.h"

namespace cbit::metricsd {
namespace {

Endpoint AnyPort() { return Endpoint{"127.0.0.1", 0}; }

httpd::RawClient::Reply Ask(int port, const std::string& request) {
  httpd::RawClient c(port);
  EXPECT_TRUE(c.connected());
  EXPECT_TRUE(c.Send(request));
  return c.Read();
}

TEST(MetricsListener, ServesMetricsRenderedAtEachScrape) {
  std::atomic<int> scrapes{0};
  Listener l(AnyPort(), [&] { return "cbit_test_total " + std::to_string(++scrapes) + "\n"; });
  ASSERT_GT(l.port(), 0);
  auto r = Ask(l.port(), "GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "cbit_test_total 1\n");
  EXPECT_TRUE(r.Has("Content-Type: text/plain; version=0.0.4; charset=utf-8")) << r.head;
  EXPECT_EQ(Ask(l.port(), "GET /metrics?x=1 HTTP/1.1\r\nHost: x\r\n\r\n").body,
            "cbit_test_total 2\n");
}

TEST(MetricsListener, HealthLive) {
  Listener l(AnyPort(), [] { return std::string(); });
  auto r = Ask(l.port(), "GET /health/live HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, R"({"status": "live"})");
}

TEST(MetricsListener, OnlyGetOnTheTwoPaths) {
  Listener l(AnyPort(), [] { return std::string("x 1\n"); });
  auto post = Ask(l.port(), "POST /metrics HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc");
  EXPECT_EQ(post.status, 405);
  EXPECT_TRUE(post.Has("Allow: GET")) << post.head;
  EXPECT_EQ(Ask(l.port(), "DELETE /health/live HTTP/1.1\r\nHost: x\r\n\r\n").status, 405);
  EXPECT_EQ(Ask(l.port(), "GET /health/ready HTTP/1.1\r\nHost: x\r\n\r\n").status, 404);
  EXPECT_EQ(Ask(l.port(), "GET / HTTP/1.1\r\nHost: x\r\n\r\n").status, 404);
}

TEST(MetricsListener, FewConnectionsPerAddress) {
  Listener l(AnyPort(), [] { return std::string("x 1\n"); });
  std::vector<std::unique_ptr<httpd::RawClient>> held;
  for (int i = 0; i < 8; ++i) {
    held.push_back(std::make_unique<httpd::RawClient>(l.port()));
    ASSERT_TRUE(held.back()->connected());
    // Answered: the connection is counted before the next one opens.
    ASSERT_TRUE(held.back()->Send("GET /health/live HTTP/1.1\r\nHost: x\r\n\r\n"));
    ASSERT_EQ(held.back()->Read().status, 200);
  }
  EXPECT_EQ(httpd::GetStatus(l.port(), "/metrics"), 503);
  held.pop_back();
  // The server sees the close on its own time.
  int status = 0;
  for (int i = 0; i < 50 && status != 200; ++i) {
    status = httpd::GetStatus(l.port(), "/metrics");
    if (status != 200) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  EXPECT_EQ(status, 200);
}

// A head that never ends holds its connection for the head deadline only.
TEST(MetricsListener, AnUnfinishedHeadIsCutOff) {
  Listener l(AnyPort(), [] { return std::string("x 1\n"); });
  httpd::RawClient c(l.port());
  ASSERT_TRUE(c.connected());
  ASSERT_TRUE(c.Send("GET /metr"));
  EXPECT_TRUE(c.ClosedWithin(std::chrono::seconds(8)));
}

TEST(MetricsListener, AnAddressInUseIsAnError) {
  Listener first(AnyPort(), [] { return std::string(); });
  EXPECT_THROW(Listener(Endpoint{"127.0.0.1", first.port()}, [] { return std::string(); }),
               std::runtime_error);
}

TEST(MetricsEndpoint, ReadsPortAndAddress) {
  Endpoint e;
  ReadEndpoint(nlohmann::json::parse(R"({})"), e);
  EXPECT_FALSE(e.enabled());
  EXPECT_EQ(e.address, "127.0.0.1");
  ReadEndpoint(nlohmann::json::parse(R"({"metrics_port": 9101, "metrics_address": "::1"})"), e);
  EXPECT_EQ(e.port, 9101);
  EXPECT_EQ(e.address, "::1");
  ReadEndpoint(nlohmann::json::parse(R"({"metrics_port": "9102"})"), e);
  EXPECT_EQ(e.port, 9102);
}

TEST(MetricsEndpoint, RefusesBadValuesNamingTheKey) {
  for (const char* bad :
       {R"({"metrics_port": 70000})", R"({"metrics_port": -1})", R"({"metrics_port": "90x"})",
        R"({"metrics_port": 1.5})", R"({"metrics_port": true})"}) {
    Endpoint e;
    try {
      ReadEndpoint(nlohmann::json::parse(bad), e);
      ADD_FAILURE() << bad << " was taken";
    } catch (const ConfigError& err) {
      EXPECT_NE(std::string(err.what()).find("metrics_port"), std::string::npos) << err.what();
    }
  }
  Endpoint e;
  try {
    ReadEndpoint(nlohmann::json::parse(R"({"metrics_address": "localhost; rm"})"), e);
    ADD_FAILURE() << "a host name was taken";
  } catch (const ConfigError& err) {
    EXPECT_NE(std::string(err.what()).find("metrics_address"), std::string::npos) << err.what();
  }
}

}  // namespace
}  // namespace cbit::metricsd
