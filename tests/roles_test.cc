// Roles and API tokens through the HTTP edge, on both stores: every
// state-changing route of the router's own table refuses anonymous callers
// (401) and roles without the right (403); what builders, watchers and
// submitters may do to jobs; revoked tokens; the limit on failed sign-ins;
// `cbit-web token`.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <regex>

#include "queue/fake_publisher.h"
#include "store/tokens.h"
#include "tests/support/controller_harness.h"
#include "tests/support/databases.h"
#include "tests/support/fixture.h"
#include "util/clock.h"
#include "util/subprocess.h"
#include "web/api_token.h"

namespace cbit::testing {
namespace {

using nlohmann::json;
using web::Role;

class Roles : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    h_ = std::make_unique<ControllerHarness>(OpenTestDatabase(GetParam()), publisher_);
    ASSERT_NO_FATAL_FAILURE(h_->AddOneTarget("i386"));
    builder_a_ = h_->TokenClient(h_->AddToken("client-a", Role::kBuilder, "build_client_a"));
    builder_b_ = h_->TokenClient(h_->AddToken("client-b", Role::kBuilder, "build_client_b"));
    watcher_ = h_->TokenClient(h_->AddToken("watcher", Role::kWatcher));
    submitter_ = h_->TokenClient(h_->AddToken("hook", Role::kSubmitter));
    reader_ = h_->TokenClient(h_->AddToken("reader", Role::kReader));
  }

  httplib::Client& As(Role r) {
    switch (r) {
      case Role::kBuilder:
        return *builder_a_;
      case Role::kWatcher:
        return *watcher_;
      case Role::kSubmitter:
        return *submitter_;
      case Role::kReader:
        return *reader_;
      case Role::kAdmin:
        break;
    }
    return h_->admin();
  }

  static httplib::Result Send(httplib::Client& c, const std::string& method,
                              const std::string& path, const std::string& body = "") {
    if (method == "GET") return c.Get(path);
    if (method == "PUT") return c.Put(path, body, kForm);
    if (method == "POST") return c.Post(path, body, kForm);
    return c.Delete(path);
  }

  // A job submitted by the hook's token; its id.
  Id Submit(const std::string& version = "1.0") {
    auto r = submitter_->Post("/job/vcshook",
                              FormBody({{"package", "hello"},
                                        {"package_version", version},
                                        {"suite", "bookworm"},
                                        {"distribution", "Debian"},
                                        {"architecture_list", "any"},
                                        {"format", "deb"},
                                        {"method", "git"},
                                        {"uri", "https://git.example/hello.git"},
                                        {"vcs_id", "v1"}}),
                              kForm);
    EXPECT_TRUE(r && r->status == 200) << (r ? r->body : "no answer");
    return r ? json::parse(r->body)["jobs"][0].get<Id>() : 0;
  }

  static int Report(httplib::Client& c, Id job, const std::string& status,
                    const std::string& client = "") {
    httplib::Params form{{"status", status}};
    if (!client.empty()) form.emplace("client", client);
    auto r = c.Put("/job/" + std::to_string(job), form);
    return r ? r->status : 0;
  }

  static constexpr const char* kForm = "application/x-www-form-urlencoded";
  queue::FakePublisher publisher_;
  std::unique_ptr<ControllerHarness> h_;
  std::unique_ptr<httplib::Client> builder_a_, builder_b_, watcher_, submitter_, reader_;
};

// A path that matches a route's pattern: each capture group filled in.
std::string PathFor(const std::string& pattern) {
  static const std::regex kGroup(R"(\([^)]*\))");
  std::string out;
  std::sregex_iterator it(pattern.begin(), pattern.end(), kGroup), end;
  std::size_t pos = 0;
  for (; it != end; ++it) {
    out += pattern.substr(pos, it->position() - pos);
    std::string g = it->str();
    out += g == "([A-Za-z]+)" ? "Waiting" : g == "([^/]+)" ? "x" : "1";
    pos = it->position() + it->length();
  }
  return out + pattern.substr(pos);
}

bool ChangesState(const web::RouteInfo& r) {
  if (r.method != "GET") return true;
  static const std::regex kActions("cancel|retry|delete|togglemaster");
  return std::regex_search(r.pattern, kActions);
}

TEST_P(Roles, EveryStateChangingRouteRefusesAnonymousCallersAndOtherRoles) {
  const auto& routes = h_->router().routes();
  ASSERT_GT(routes.size(), 50u);
  int checked = 0;
  for (const web::RouteInfo& r : routes) {
    SCOPED_TRACE(r.method + " " + r.pattern);
    if (!ChangesState(r)) continue;
    ASSERT_NE(r.need.kind, web::Need::Kind::kRead) << "a state-changing route open to anyone";
    if (r.need.kind == web::Need::Kind::kSigned) continue;  // forge webhooks: hooks_test.cc
    std::string path = PathFor(r.pattern);
    auto anon = Send(h_->anon(), r.method, path);
    ASSERT_TRUE(anon);
    EXPECT_EQ(anon->status, 401) << path << ": " << anon->body;
    for (Role role : {Role::kBuilder, Role::kWatcher, Role::kSubmitter, Role::kReader}) {
      if (r.need.Allows(role)) continue;
      auto res = Send(As(role), r.method, path);
      ASSERT_TRUE(res);
      EXPECT_EQ(res->status, 403) << web::RoleName(role) << " " << path << ": " << res->body;
    }
    ++checked;
  }
  EXPECT_GT(checked, 40);
  // What the roles below admin may call, exactly.
  std::set<std::string> open;
  for (const web::RouteInfo& r : routes)
    if (r.need.kind == web::Need::Kind::kRoles)
      for (Role role : {Role::kBuilder, Role::kWatcher, Role::kSubmitter, Role::kReader})
        if (r.need.Allows(role))
          open.insert(std::string(web::RoleName(role)) + " " + r.method + " " + r.pattern);
  EXPECT_EQ(open,
            (std::set<std::string>{
                R"(builder POST /job/(\d+))", R"(builder PUT /job/(\d+))",
                R"(builder POST /job/(\d+)/log)", R"(builder POST /job/(\d+)/lease)",
                R"(builder PUT /job/(\d+)/lease)", R"(builder POST /buildd/([^/]+)/heartbeat)",
                R"(builder PUT /buildd/([^/]+)/heartbeat)", R"(watcher POST /job/(\d+))",
                R"(watcher PUT /job/(\d+))", R"(watcher POST /job/(\d+)/log)",
                "submitter POST /job/vcshook", "submitter PUT /job/vcshook", "submitter POST /job",
                "submitter PUT /job"}));
}

TEST_P(Roles, ABuilderClaimsAndReportsOnlyAsItselfAndOnItsOwnJobs) {
  Id job = Submit();
  EXPECT_EQ(Report(*builder_a_, job, "Building", "build_client_b"), 403);
  EXPECT_EQ(Report(*builder_a_, job, "Building", "build_client_a"), 200);
  EXPECT_EQ(h_->store().GetJob(job).buildclient->name, "build_client_a");
  // Another builder can neither take it nor finish it.
  EXPECT_EQ(Report(*builder_b_, job, "Building", "build_client_b"), 409);
  EXPECT_EQ(Report(*builder_b_, job, "Done", "build_client_b"), 409);
  auto log = builder_b_->Post("/job/" + std::to_string(job) + "/log?offset=0", "x", "text/plain");
  EXPECT_EQ(log->status, 409) << log->body;
  log = builder_a_->Post("/job/" + std::to_string(job) + "/log?offset=0", "ok\n", "text/plain");
  EXPECT_EQ(log->status, 200) << log->body;
  EXPECT_EQ(Report(*builder_a_, job, "Done"), 200);
  EXPECT_EQ(h_->store().GetJob(job).status, "Done");
}

TEST_P(Roles, ABuilderRenewsOnlyItsOwnLeaseAndSendsOnlyItsOwnHeartbeat) {
  Id job = Submit();
  const std::string lease = "/job/" + std::to_string(job) + "/lease";
  auto lost = builder_a_->Put(lease, "", kForm);
  EXPECT_EQ(lost->status, 409) << lost->body;  // Waiting: nobody holds it
  ASSERT_EQ(Report(*builder_a_, job, "Building", "build_client_a"), 200);
  auto renewed = builder_a_->Put(lease, "client=build_client_a", kForm);
  EXPECT_EQ(renewed->status, 200) << renewed->body;
  EXPECT_NE(renewed->body.find("\"lease_expires\": \""), std::string::npos) << renewed->body;
  EXPECT_EQ(builder_a_->Put(lease, "client=build_client_b", kForm)->status, 403);
  auto other = builder_b_->Put(lease, "", kForm);
  EXPECT_EQ(other->status, 409) << other->body;
  EXPECT_NE(other->body.find("held by build_client_a"), std::string::npos) << other->body;
  EXPECT_EQ(builder_a_->Put("/buildd/build_client_a/heartbeat", "", kForm)->status, 200);
  auto foreign = builder_a_->Put("/buildd/build_client_b/heartbeat", "", kForm);
  EXPECT_EQ(foreign->status, 403) << foreign->body;
  EXPECT_EQ(h_->anon().Get("/buildd/build_client_a/status")->body, "Active");
  EXPECT_EQ(h_->anon().Get("/buildd/build_client_b/status")->body, "Not Active");
}

TEST_P(Roles, AWatcherOnlyTurnsDoneJobsUploadedOrFailed) {
  Id job = Submit();
  EXPECT_EQ(Report(*watcher_, job, "Building"), 403);
  EXPECT_EQ(Report(*watcher_, job, "Uploaded"), 409);  // not Done yet
  ASSERT_EQ(Report(*builder_a_, job, "Building", "build_client_a"), 200);
  ASSERT_EQ(Report(*builder_a_, job, "Done", "build_client_a"), 200);
  EXPECT_EQ(Report(*watcher_, job, "Uploaded"), 200);
  EXPECT_EQ(h_->store().GetJob(job).status, "Uploaded");
}

TEST_P(Roles, ASubmitterSubmitsButCannotDeleteOrCancel) {
  Id job = Submit();
  auto del = submitter_->Delete("/job/" + std::to_string(job));
  EXPECT_EQ(del->status, 403) << del->body;
  EXPECT_NE(del->body.find("role submitter"), std::string::npos) << del->body;
  EXPECT_EQ(submitter_->Get("/job/" + std::to_string(job) + "/cancel")->status, 403);
  EXPECT_EQ(Report(*submitter_, job, "Building"), 403);
  EXPECT_EQ(h_->store().GetJob(job).status, "Waiting");
}

TEST_P(Roles, ARevokedTokenIsRefusedAtOnce) {
  std::string token = h_->AddToken("short-lived", Role::kSubmitter);
  auto c = h_->TokenClient(token);
  ASSERT_EQ(c->Put("/job/vcshook", "package=x", kForm)->status, 400);  // let in; form is bad
  ASSERT_EQ(store::Tokens(h_->store().db()).Revoke("short-lived", NowMicros()), 1);
  auto r = c->Put("/job/vcshook", "package=x", kForm);
  EXPECT_EQ(r->status, 401) << r->body;
  EXPECT_NE(r->body.find("revoked"), std::string::npos) << r->body;
  auto found = store::Tokens(h_->store().db()).List();
  auto it = std::find_if(found.begin(), found.end(),
                         [](const auto& t) { return t.name == "short-lived"; });
  ASSERT_NE(it, found.end());
  EXPECT_TRUE(it->last_used_us.has_value());
  EXPECT_TRUE(it->revoked_us.has_value());
}

TEST_P(Roles, FailedSignInsGet429WithRetryAfter) {
  httplib::Client guesser("127.0.0.1", h_->port());
  int status = 0;
  httplib::Result last{nullptr, httplib::Error::Unknown};
  for (int i = 0; i < 12 && status != 429; ++i) {
    guesser.set_basic_auth(kAdminUser, "guess" + std::to_string(i));
    last = guesser.Put("/arch", "name=x", kForm);
    ASSERT_TRUE(last);
    status = last->status;
  }
  EXPECT_EQ(status, 429);
  EXPECT_FALSE(last->get_header_value("Retry-After").empty());
  EXPECT_NE(last->body.find("too many failed sign-ins"), std::string::npos) << last->body;
  guesser.set_basic_auth(kAdminUser, "one-more-guess");
  EXPECT_EQ(guesser.Put("/arch", "name=x", kForm)->status, 429);
  // Credentials that verified before (the admin client's) still pass: a
  // guesser cannot lock the farm's own components out.
  EXPECT_EQ(h_->admin().Put("/arch", "name=y", kForm)->status, 200);
}

INSTANTIATE_TEST_SUITE_P(Stores, Roles, ::testing::Values("sqlite", "postgres"));

// cbit-web token add|list|revoke on a database file.
TEST(TokenCommand, AddListRevoke) {
  std::string db = ScratchDir("token-command") + "/cbit.db";
  auto run = [&](std::vector<std::string> args) {
    Command cmd;
    cmd.argv = {std::string(CBIT_BINARY_DIR) + "/cbit-web", "--db", "sqlite:" + db, "token"};
    cmd.argv.insert(cmd.argv.end(), args.begin(), args.end());
    return RunCommand(cmd);
  };
  auto add = run({"add", "client-1", "--role", "builder", "--client", "build_client_1"});
  ASSERT_EQ(add.exit_code, 0) << add.output;
  std::string token = add.output.substr(0, add.output.find('\n'));
  EXPECT_TRUE(web::LooksLikeToken(token)) << add.output;
  EXPECT_NE(run({"add", "client-1", "--role", "builder", "--client", "c"}).exit_code, 0);
  EXPECT_NE(run({"add", "client-2", "--role", "builder"}).exit_code, 0);  // no client
  EXPECT_NE(run({"add", "x", "--role", "root"}).exit_code, 0);
  auto list = run({"list"});
  EXPECT_EQ(list.exit_code, 0);
  EXPECT_NE(list.output.find("client-1\tbuilder\tbuild_client_1"), std::string::npos)
      << list.output;
  EXPECT_EQ(list.output.find(token), std::string::npos);
  EXPECT_EQ(run({"revoke", "client-1"}).exit_code, 0);
  EXPECT_NE(run({"revoke", "client-1"}).exit_code, 0);
  // The name is free again.
  EXPECT_EQ(run({"add", "client-1", "--role", "reader"}).exit_code, 0);
}

}  // namespace
}  // namespace cbit::testing
