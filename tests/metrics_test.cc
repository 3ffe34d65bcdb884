// GET /metrics and the health checks: against the real cbit-web and its own
// RabbitMQ node (counters move after a submission and the builds it makes,
// the text reads back under the strict checker, ready turns 503 naming the
// broker when RabbitMQ stops), and through the in-process controller for
// who may read them.
#include <gtest/gtest.h>
#include <httplib.h>

#include <nlohmann/json.hpp>
#include <thread>

#include "metrics/test_exposition.h"
#include "tests/support/controller_harness.h"
#include "tests/support/databases.h"
#include "tests/support/fixture.h"
#include "tests/support/ports.h"
#include "tests/support/rabbitmq.h"
#include "tests/support/web_process.h"

namespace cbit::testing {
namespace {

using namespace std::chrono_literals;
using metrics::Exposition;
using metrics::ParseExposition;

constexpr const char* kForm = "application/x-www-form-urlencoded";

Exposition Scrape(httplib::Client& c) {
  auto r = c.Get("/metrics");
  if (!r) throw std::runtime_error("no answer to GET /metrics");
  if (r->status != 200) throw std::runtime_error("GET /metrics: " + r->body);
  EXPECT_EQ(r->get_header_value("Content-Type"), "text/plain; version=0.0.4; charset=utf-8");
  return ParseExposition(r->body);
}

void AddTarget(httplib::Client& admin, const std::string& arch) {
  for (auto [path, body] : std::initializer_list<std::pair<std::string, std::string>>{
           {"/arch", "name=" + arch},
           {"/dist", "name=Debian"},
           {"/format", "name=deb"},
           {"/suite", "name=metrics"},
           {"/suitearch", "suite=metrics&arch=" + arch + "&master_weight=1"}}) {
    auto r = admin.Put(path, body, kForm);
    ASSERT_TRUE(r && r->status == 200) << path << (r ? r->body : "");
  }
}

Id Submit(httplib::Client& c) {
  auto r = c.Post("/job/vcshook",
                  FormBody({{"package", "hello-metrics"},
                            {"package_version", "1.0"},
                            {"suite", "metrics"},
                            {"distribution", "Debian"},
                            {"architecture_list", "any"},
                            {"format", "deb"},
                            {"method", "git"},
                            {"uri", "https://git.example/hello.git"},
                            {"vcs_id", "abc"}}),
                  kForm);
  EXPECT_TRUE(r && r->status == 200) << (r ? r->body : "no answer");
  return r ? nlohmann::json::parse(r->body).at("jobs").at(0).get<Id>() : 0;
}

void Report(httplib::Client& c, Id job, const std::string& status) {
  auto r = c.Put("/job/" + std::to_string(job),
                 FormBody({{"status", status}, {"client", "build_client_metrics"}}), kForm);
  ASSERT_TRUE(r && r->status == 200) << status << ": " << (r ? r->body : "no answer");
}

TEST(Metrics, CountersMoveAndReadyFollowsTheBroker) {
  RabbitNode rabbit(ScratchDir("metrics-rabbit"));
  rabbit.Start();
  WebSetup setup{ScratchDir("metrics"), FreePort(), rabbit.port()};
  setup.web = {{"metrics_cache_ms", 0}};
  WebProcess web(setup);
  httplib::Client admin("127.0.0.1", setup.port);
  admin.set_basic_auth(kAdminUser, kAdminPassword);
  ASSERT_NO_FATAL_FAILURE(AddTarget(admin, "amd64"));

  Exposition before = Scrape(admin);
  EXPECT_EQ(before.Sum("cbit_jobs_submitted_total"), 0);
  EXPECT_EQ(before.Value("cbit_broker_up"), 1);
  Id job = Submit(admin);
  ASSERT_NE(job, 0);
  // The answer comes once the request is sent; the broker's confirm (which
  // empties the outbox) and its queue follow.
  Exposition after = Scrape(admin);
  for (auto until = std::chrono::steady_clock::now() + 10s;
       after.Value("cbit_outbox_backlog") != 0 && std::chrono::steady_clock::now() < until;
       std::this_thread::sleep_for(100ms))
    after = Scrape(admin);
  EXPECT_EQ(after.Sum("cbit_submissions_total"), 1);
  EXPECT_EQ(after.Value("cbit_jobs_submitted_total"), 1);
  EXPECT_EQ(after.Value("cbit_http_requests_total",
                        {{"method", "POST"}, {"route", "/job/vcshook"}, {"status", "200"}}),
            1);
  EXPECT_EQ(after.Value("cbit_http_request_duration_seconds_count",
                        {{"method", "POST"}, {"route", "/job/vcshook"}}),
            1);
  EXPECT_EQ(after.Value("cbit_jobs", {{"status", "Waiting"},
                                      {"dist", "Debian"},
                                      {"arch", "amd64"},
                                      {"suite", "metrics"},
                                      {"format", "deb"}}),
            1);
  // Nobody consumes: the build request waits in its queue.
  EXPECT_EQ(after.Value("cbit_queue_messages", {{"queue", "Debian_amd64_metrics_deb"}}), 1);
  EXPECT_EQ(after.Value("cbit_outbox_backlog"), 0);
  EXPECT_GT(after.Sum("cbit_db_pool_acquired_total"), 0);

  ASSERT_NO_FATAL_FAILURE(Report(admin, job, "Building"));
  ASSERT_NO_FATAL_FAILURE(Report(admin, job, "Done"));
  Exposition built = Scrape(admin);
  EXPECT_EQ(built.Value("cbit_dispatch_latency_seconds_count"), 1);
  EXPECT_EQ(built.Value("cbit_build_duration_seconds_count", {{"status", "Done"}}), 1);
  EXPECT_GT(
      built.Sum("cbit_client_last_seen_timestamp_seconds", {{"client", "build_client_metrics"}}),
      1.6e9);
  // Paths with ids are counted under their route's pattern.
  admin.Get("/job/" + std::to_string(job));
  admin.Get("/job/999999");
  Exposition routes = Scrape(admin);
  EXPECT_EQ(routes.Sum("cbit_http_requests_total", {{"route", R"(/job/(\d+))"}, {"method", "GET"}}),
            2);
  admin.Get("/no/such/path");
  EXPECT_EQ(Scrape(admin).Value("cbit_http_requests_total",
                                {{"method", "GET"}, {"route", "none"}, {"status", "404"}}),
            1);

  httplib::Client anon("127.0.0.1", setup.port);
  auto ready = anon.Get("/health/ready");
  ASSERT_TRUE(ready);
  EXPECT_EQ(ready->status, 200) << ready->body;
  rabbit.Stop();
  ready = anon.Get("/health/ready");
  ASSERT_TRUE(ready);
  EXPECT_EQ(ready->status, 503) << ready->body;
  auto body = nlohmann::json::parse(ready->body);
  EXPECT_NE(body.at("error").get<std::string>().find("broker unreachable"), std::string::npos)
      << ready->body;
  EXPECT_EQ(body.at("database"), "ok");
  auto live = anon.Get("/health/live");
  ASSERT_TRUE(live);
  EXPECT_EQ(live->status, 200);
  EXPECT_EQ(Scrape(admin).Value("cbit_broker_up"), 0);
  EXPECT_EQ(web.Stop(), 0);
}

// /metrics is a read like the others (web.auth_reads); the health checks
// are public either way.
TEST(Metrics, MetricsFollowAuthReadsAndHealthIsPublic) {
  auto publisher = queue::MakeAmqpPublisher(SharedRabbit().options(), 1);
  ControllerHarness h(OpenTestDatabase("sqlite"), *publisher, "localhost:18080", {}, {}, false,
                      [](web::Config& c) { c.auth_reads = true; });
  auto reader = h.TokenClient(h.AddToken("prometheus", web::Role::kReader));
  auto anon = h.anon().Get("/metrics");
  ASSERT_TRUE(anon);
  EXPECT_EQ(anon->status, 401);
  EXPECT_NO_THROW(Scrape(*reader));
  for (const char* path : {"/health/live", "/health/ready"}) {
    auto r = h.anon().Get(path);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 200) << path << ": " << r->body;
  }
}

}  // namespace
}  // namespace cbit::testing
