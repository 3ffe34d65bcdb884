// Golden wire tests: the requests pyBit 1.0 answered in tests/data/pybit-wire
// replayed against cbit-web on both stores. Bodies must match the captures
// byte for byte (times aside); where pyBit answered 500 cbit answers the 4xx
// the README of the captures asks for. Messages handed to the broker must be
// the captured AMQP bodies.
#include <gtest/gtest.h>

#include <chrono>
#include <functional>
#include <regex>
#include <thread>
#include <vector>

#include "httpd/test_client.h"
#include "queue/fake_publisher.h"
#include "queue/publisher.h"
#include "tests/support/controller_harness.h"
#include "tests/support/databases.h"
#include "tests/support/pybit_wire.h"

namespace cbit::testing {
namespace {

std::string Fixture(const std::string& name) { return testing::PyBitFixture(name); }

std::string AmqpBody(const std::string& file, int n) { return testing::PyBitAmqpBody(file, n); }

// Times differ from run to run; their format must not.
std::string MaskTimes(const std::string& s) {
  static const std::regex kTime(R"("time": "\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{6}")");
  return std::regex_replace(s, kTime, R"("time": "T")");
}

class ApiGolden : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    harness_ = std::make_unique<ControllerHarness>(OpenTestDatabase(GetParam()), publisher_);
  }

  httplib::Result Put(const std::string& path,
                      std::initializer_list<std::pair<std::string, std::string>> f) {
    return harness_->admin().Put(path, FormBody(f), "application/x-www-form-urlencoded");
  }
  httplib::Result Post(const std::string& path,
                       std::initializer_list<std::pair<std::string, std::string>> f) {
    return harness_->admin().Post(path, FormBody(f), "application/x-www-form-urlencoded");
  }
  void ExpectBody(const std::string& path, const std::string& fixture) {
    auto r = harness_->anon().Get(path);
    ASSERT_TRUE(r) << path;
    EXPECT_EQ(r->status, 200) << path << ": " << r->body;
    EXPECT_EQ(MaskTimes(r->body), MaskTimes(Fixture(fixture))) << path;
    EXPECT_EQ(r->get_header_value("Content-Type"), "application/json") << path;
    EXPECT_EQ(r->get_header_value("Access-Control-Allow-Origin"), "*") << path;
  }
  void MustPut(const std::string& path,
               std::initializer_list<std::pair<std::string, std::string>> f) {
    auto r = Put(path, f);
    ASSERT_TRUE(r);
    ASSERT_EQ(r->status, 200) << path << ": " << r->body;
  }

  // pyBit's sample data, created in the order that gives the captured ids.
  void SeedPyBitSample(bool buildds) {
    for (auto a : {"armel", "i386"}) MustPut("/arch", {{"name", a}});
    for (auto s : {"chickpea", "development", "illgill"}) MustPut("/suite", {{"name", s}});
    MustPut("/dist", {{"name", "Debian"}});
    MustPut("/format", {{"name", "deb"}});
    for (auto e : {"squeeze", "wheezy"}) MustPut("/env", {{"name", e}});
    if (buildds)
      for (auto b : {"build_client_pyarm01", "build_client_arm02", "build_client_buildbox"})
        MustPut("/buildd", {{"name", b}});
    // suitearch ids 1..6: development/armel, development/i386, chickpea/armel, …
    for (auto s : {"2", "1", "3"})
      for (auto [a, w] : {std::pair{"1", "0"}, std::pair{"2", "1"}})
        MustPut("/suitearch", {{"suite_id", s}, {"arch_id", a}, {"master_weight", w}});
  }

  void Vcshook(const std::string& package, const std::string& version, const std::string& archs) {
    auto r = Post("/job/vcshook", {{"uri", "http://svn.example/svn/lwdev"},
                                   {"method", "svn"},
                                   {"distribution", "Debian"},
                                   {"vcs_id", "20961"},
                                   {"architecture_list", archs},
                                   {"package_version", version},
                                   {"package", package},
                                   {"suite", "chickpea"},
                                   {"format", "deb"}});
    ASSERT_TRUE(r);
    ASSERT_EQ(r->status, 200) << r->body;
  }

  queue::FakePublisher publisher_;
  std::unique_ptr<ControllerHarness> harness_;
};

TEST_P(ApiGolden, FirstSessionSubmitBuildSupersede) {
  SeedPyBitSample(true);
  ExpectBody("/arch", "01_GET_arch.body");
  MustPut("/arch", {{"name", "test"}});  // 02

  // 03: no credentials.
  auto noauth =
      harness_->anon().Put("/arch", FormBody({{"name", "x"}}), "application/x-www-form-urlencoded");
  ASSERT_TRUE(noauth);
  EXPECT_EQ(noauth->status, 401);
  EXPECT_EQ(noauth->get_header_value("WWW-Authenticate"), "Basic realm=\"cbit\"");

  Vcshook("appbarwidget", "0.6.33chickpea94", "all,any");  // 04
  ExpectBody("/job", "05_GET_job.body");
  ExpectBody("/job/1", "06_GET_job_1.body");
  ExpectBody("/job/1/status", "07_GET_job_1_status.body");
  ExpectBody("/job/status", "08_GET_job_status.body");
  ExpectBody("/packageinstance/1", "09_GET_packageinstance_1.body");
  ExpectBody("/packageinstance", "10_GET_packageinstance.body");
  ExpectBody("/suitearch", "11_GET_suitearch.body");
  ExpectBody("/buildd", "12_GET_buildd.body");
  ExpectBody("/package", "13_GET_package.body");
  ExpectBody("/suite", "14_GET_suite.body");
  ExpectBody("/env", "15_GET_env.body");
  ExpectBody("/buildenv_suitearch", "16_GET_buildenv_suitearch.body");

  auto missing = harness_->anon().Get("/job/999");  // 17: pyBit answered 500
  ASSERT_TRUE(missing);
  EXPECT_EQ(missing->status, 404);
  EXPECT_NE(missing->body.find("999"), std::string::npos) << missing->body;

  ExpectBody("/arch", "18_GET_arch_after_put.body");
  auto building = Post("/job/1", {{"status", "Building"}, {"client", "build_client_sample"}});
  ASSERT_TRUE(building);
  EXPECT_EQ(building->status, 200) << building->body;  // 19
  ExpectBody("/job/1/status", "20_GET_job_1_status.body");
  ExpectBody("/job/1", "21_GET_job_1.body");
  ExpectBody("/buildd", "22_GET_buildd.body");
  ExpectBody("/job/status/Building", "23_GET_job_status_Building.body");

  Vcshook("appbarwidget", "0.6.33chickpea94", "all,any");  // 24: supersedes jobs 1 and 2
  ExpectBody("/job/2/status", "25_GET_job_2_status.body");
  ExpectBody("/job/status", "26_GET_job_status.body");
  ExpectBody("/job", "27_GET_job.body");

  // What went to the broker: build requests for jobs 1-4 and, since job 1 is
  // Building on build_client_sample, a CancelRequest to that client.
  auto sent = publisher_.sent();
  ASSERT_EQ(sent.size(), 5u);
  EXPECT_EQ(sent[0].routing_key, "Debian.i386.chickpea.deb");
  EXPECT_EQ(sent[0].queue, "Debian_i386_chickpea_deb");
  EXPECT_EQ(sent[0].body, AmqpBody("amqp_1_build_requests.txt", 0));
  EXPECT_EQ(sent[1].routing_key, "Debian.armel.chickpea.deb");
  EXPECT_EQ(sent[1].body, AmqpBody("amqp_1_build_requests.txt", 1));
  EXPECT_EQ(sent[2].routing_key, "build_client_sample");
  EXPECT_EQ(sent[2].queue, "");  // never creates a client's command queue
  EXPECT_EQ(sent[2].body, AmqpBody("amqp_2_cancel_request.txt", 0));
  EXPECT_EQ(sent[3].body, AmqpBody("amqp_3_build_requests_again.txt", 0));
  EXPECT_EQ(sent[4].body, AmqpBody("amqp_3_build_requests_again.txt", 1));
}

TEST_P(ApiGolden, SecondSessionBuildEnvsBlacklistAndErrors) {
  SeedPyBitSample(false);
  MustPut("/buildenv_suitearch", {{"buildenv_id", "2"}, {"suitearch_id", "4"}});  // 30
  ExpectBody("/buildenv_suitearch", "31_GET_buildenv_suitearch.body");
  ExpectBody("/dist", "32_GET_dist.body");
  ExpectBody("/format", "33_GET_format.body");
  ExpectBody("/status", "34_GET_status.body");
  ExpectBody("/arch/count", "35_GET_arch_count.body");
  auto job_count = harness_->anon().Get("/job/count");  // 36: pyBit had none
  ASSERT_TRUE(job_count);
  EXPECT_EQ(job_count->status, 200);
  EXPECT_EQ(job_count->body, "0");

  MustPut("/blacklist", {{"field", "name"}, {"regex", ".*-dev"}});  // 37
  ExpectBody("/blacklist", "38_GET_blacklist.body");
  auto refused = Post("/job/vcshook", {{"uri", "http://svn.example/x"},
                                       {"method", "svn"},
                                       {"distribution", "Debian"},
                                       {"vcs_id", "1"},
                                       {"architecture_list", "any"},
                                       {"package_version", "1.0-1"},
                                       {"package", "libfoo-dev"},
                                       {"suite", "chickpea"},
                                       {"format", "deb"}});  // 39: pyBit said 200
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->status, 403);
  EXPECT_NE(refused->body.find(".*-dev"), std::string::npos) << refused->body;

  Vcshook("envpkg", "2.0-1", "any");  // 40
  ExpectBody("/job", "41_GET_job.body");
  ExpectBody("/packageinstance", "42_GET_packageinstance.body");
  ExpectBody("/package/names", "43_GET_package_names.body");
  ExpectBody("/package/details/envpkg", "44_GET_package_details_envpkg.body");
  ExpectBody("/packageinstance/details/envpkg", "45_GET_packageinstance_details_envpkg.body");
  ExpectBody("/arch/page/1", "46_GET_arch_page_1.body");
  ExpectBody("/suite/1", "47_GET_suite_1.body");

  auto in_use = harness_->admin().Delete("/arch/1");  // 48
  ASSERT_TRUE(in_use);
  EXPECT_EQ(in_use->status, 409);
  EXPECT_FALSE(in_use->body.empty());

  auto no_buildd = harness_->anon().Get("/buildd/1/jobs");  // 49
  ASSERT_TRUE(no_buildd);
  EXPECT_EQ(no_buildd->status, 404);

  auto active = harness_->anon().Get("/buildd/build_client_arm02/status");  // 50
  ASSERT_TRUE(active);
  EXPECT_EQ(active->body, Fixture("50_GET_buildd_name_status.body"));
  auto pkg_active = harness_->anon().Get("/package/1/active");  // 51
  ASSERT_TRUE(pkg_active);
  EXPECT_EQ(pkg_active->body, Fixture("51_GET_package_1_active.body"));

  auto incomplete = Post("/job/vcshook", {{"package", "x1"}, {"method", "git"}});  // 52
  ASSERT_TRUE(incomplete);
  EXPECT_EQ(incomplete->status, 400);
  for (auto field :
       {"package_version", "suite", "distribution", "architecture_list", "format", "uri"})
    EXPECT_NE(incomplete->body.find(field), std::string::npos) << field << ": " << incomplete->body;
}

// GET /job/<id> of a cached job is answered on an I/O thread (Router::Fast):
// the same bytes as the route's handler gives, GET and HEAD; never with
// the cache off, nor when reads need credentials.
class ApiGoldenFast : public ApiGolden {
 protected:
  void Restart(const std::function<void(web::Config&)>& tune) {
    harness_.reset();
    harness_ = std::make_unique<ControllerHarness>(OpenTestDatabase(GetParam()), publisher_,
                                                   "localhost:18080", web::WebhookConfig{},
                                                   std::string{}, false, tune);
    ASSERT_NO_FATAL_FAILURE(SeedPyBitSample(true));
    ASSERT_NO_FATAL_FAILURE(Vcshook("appbarwidget", "0.6.33chickpea94", "all,any"));
  }
  // One answer on a keep-alive connection: its head, a blank line, its body.
  static std::string Ask(httpd::RawClient& c, const std::string& method,
                         const std::string& extra = {}) {
    if (!c.Send(method + " /job/1 HTTP/1.1\r\nHost: x\r\n" + extra + "\r\n")) return "";
    auto r = c.Read(std::chrono::seconds(5), method == "HEAD");
    return r.head + "\r\n" + r.body;
  }
  // GETs until one is answered on the fast path (PostgreSQL enables the
  // cache once its listener is up); every answer must be `first`'s bytes.
  void GetUntilFast(httpd::RawClient& c, const std::string& first) {
    for (int i = 0; i < 100 && harness_->fast_answers() == 0; ++i) {
      ASSERT_EQ(Ask(c, "GET"), first) << i;
      if (harness_->fast_answers() == 0) std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    ASSERT_GT(harness_->fast_answers(), 0u);
  }
};

TEST_P(ApiGoldenFast, CachedJobIsTheRoutesAnswerByteForByte) {
  ASSERT_NO_FATAL_FAILURE(Restart({}));
  httpd::RawClient c(harness_->port());
  const std::string normal = Ask(c, "GET");
  ASSERT_EQ(normal.rfind("HTTP/1.1 200 OK\r\n", 0), 0u) << normal;
  EXPECT_EQ(MaskTimes(normal.substr(normal.find("\r\n\r\n") + 4)),
            MaskTimes(Fixture("06_GET_job_1.body")));
  ASSERT_NO_FATAL_FAILURE(GetUntilFast(c, normal));
  const std::uint64_t fast = harness_->fast_answers();
  EXPECT_EQ(Ask(c, "GET"), normal);
  // A HEAD answer is the GET answer's head.
  EXPECT_EQ(Ask(c, "HEAD"), normal.substr(0, normal.find("\r\n\r\n") + 4));
  EXPECT_EQ(harness_->fast_answers(), fast + 2);
  // Not cached, or another route: the normal way.
  for (const char* other : {"/job/999", "/job/1/status", "/job/0"})
    EXPECT_NE(httpd::GetStatus(harness_->port(), other), 0) << other;
  EXPECT_EQ(harness_->fast_answers(), fast + 2);

  // The cache off: the handler's answer, the same apart from the times.
  ASSERT_NO_FATAL_FAILURE(Restart([](web::Config& cfg) { cfg.job_cache = 0; }));
  httpd::RawClient off(harness_->port());
  for (int i = 0; i < 3; ++i) EXPECT_EQ(MaskTimes(Ask(off, "GET")), MaskTimes(normal));
  EXPECT_EQ(harness_->fast_answers(), 0u);
}

TEST_P(ApiGoldenFast, ReadsThatNeedCredentialsGoTheNormalWay) {
  ASSERT_NO_FATAL_FAILURE(Restart([](web::Config& cfg) { cfg.auth_reads = true; }));
  httpd::RawClient c(harness_->port());
  const std::string bearer =
      "Authorization: Bearer " + harness_->AddToken("reader", web::Role::kReader) + "\r\n";
  // Until the job is cached (PostgreSQL enables the cache once its
  // listener is up), then a few more.
  for (int i = 0, more = 3; i < 100 && more > 0; ++i) {
    ASSERT_EQ(Ask(c, "GET", bearer).rfind("HTTP/1.1 200 OK\r\n", 0), 0u);
    ASSERT_EQ(Ask(c, "GET").rfind("HTTP/1.1 401 ", 0), 0u);
    if (harness_->store().CachedJobs() > 0) --more;
    if (harness_->store().CachedJobs() == 0)
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  EXPECT_GT(harness_->store().CachedJobs(), 0u);
  EXPECT_EQ(harness_->fast_answers(), 0u);
}

INSTANTIATE_TEST_SUITE_P(Stores, ApiGoldenFast, ::testing::Values("sqlite", "postgres"));

INSTANTIATE_TEST_SUITE_P(Stores, ApiGolden, ::testing::Values("sqlite", "postgres"));

}  // namespace
}  // namespace cbit::testing
