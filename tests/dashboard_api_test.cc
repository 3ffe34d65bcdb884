// What the dashboard relies on, over HTTP on both stores: its pages and
// their security headers, sign-in sessions and the checks on actions signed
// in by the cookie (CSRF token, the controller's own origin), the refusal
// of Basic-signed actions another site's page sends, and newest-first job
// pages and the overview's counts.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "queue/fake_publisher.h"
#include "tests/support/controller_harness.h"
#include "tests/support/databases.h"

namespace cbit::testing {
namespace {

using nlohmann::json;
constexpr const char* kForm = "application/x-www-form-urlencoded";

class DashboardApi : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    h_ = std::make_unique<ControllerHarness>(OpenTestDatabase(GetParam()), publisher_);
    client_ = std::make_unique<httplib::Client>("127.0.0.1", h_->port());
    own_ = "http://127.0.0.1:" + std::to_string(h_->port());
  }

  // Signs in as the admin: the cookie header to send, and the CSRF token.
  std::pair<std::string, std::string> SignIn() {
    auto r = client_->Post("/session",
                           FormBody({{"user", kAdminUser}, {"password", kAdminPassword}}), kForm);
    EXPECT_TRUE(r && r->status == 200) << (r ? r->body : "no answer");
    if (!r) return {};
    const std::string cookie = r->get_header_value("Set-Cookie");
    return {cookie.substr(0, cookie.find(';')), json::parse(r->body)["csrf"]};
  }

  httplib::Result PutArch(const std::string& name, httplib::Headers headers) {
    return client_->Put("/arch", headers, "name=" + name, kForm);
  }

  queue::FakePublisher publisher_;
  std::unique_ptr<ControllerHarness> h_;
  std::unique_ptr<httplib::Client> client_;
  std::string own_;
};

TEST_P(DashboardApi, PagesComeWithTheirSecurityHeaders) {
  auto page = client_->Get("/");
  ASSERT_TRUE(page);
  EXPECT_EQ(page->status, 200);
  EXPECT_EQ(page->get_header_value("Content-Type"), "text/html; charset=utf-8");
  EXPECT_NE(page->get_header_value("Content-Security-Policy").find("script-src 'self'"),
            std::string::npos);
  EXPECT_NE(page->get_header_value("Content-Security-Policy").find("frame-ancestors 'none'"),
            std::string::npos);
  EXPECT_EQ(page->get_header_value("X-Frame-Options"), "DENY");
  EXPECT_EQ(page->get_header_value("X-Content-Type-Options"), "nosniff");
  EXPECT_NE(page->body.find("/ui/app.js"), std::string::npos);
  auto script = client_->Get("/ui/app.js");
  ASSERT_TRUE(script);
  EXPECT_EQ(script->status, 200);
  EXPECT_EQ(script->get_header_value("Content-Type"), "text/javascript; charset=utf-8");
  auto again = client_->Get("/ui/app.js", {{"If-None-Match", script->get_header_value("ETag")}});
  ASSERT_TRUE(again);
  EXPECT_EQ(again->status, 304);
  for (const char* missing : {"/ui/nothing.js", "/ui/..%2fapi.h", "/ui/"}) {
    auto r = client_->Get(missing);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 404) << missing;
  }
}

TEST_P(DashboardApi, ACookieAloneChangesNothing) {
  auto [cookie, csrf] = SignIn();
  ASSERT_NE(cookie.find("cbit_session="), std::string::npos);
  auto status = [&](const std::string& name, httplib::Headers h) {
    h.emplace("Cookie", cookie);
    auto r = PutArch(name, h);
    return r ? r->status : 0;
  };
  EXPECT_EQ(status("a1", {}), 403);
  EXPECT_EQ(status("a2", {{"Origin", own_}}), 403);
  EXPECT_EQ(status("a3", {{"X-CSRF-Token", csrf}}), 403);
  EXPECT_EQ(status("a4", {{"X-CSRF-Token", csrf}, {"Origin", "http://127.0.0.1:1"}}), 403);
  EXPECT_EQ(status("a5", {{"X-CSRF-Token", std::string(csrf.size(), '0')}, {"Origin", own_}}), 403);
  auto made = PutArch("a6", {{"Cookie", cookie}, {"X-CSRF-Token", csrf}, {"Origin", own_}});
  ASSERT_TRUE(made);
  EXPECT_EQ(made->status, 200) << made->body;
  EXPECT_FALSE(made->has_header("Access-Control-Allow-Origin"));
  // A same-origin GET sends a Referer, not an Origin.
  auto arches = json::parse(h_->anon().Get("/arch")->body);
  ASSERT_EQ(arches.size(), 1u) << arches;
  EXPECT_EQ(arches[0]["name"], "a6");
  auto del =
      client_->Get("/arch/" + std::to_string(arches[0]["id"].get<long>()) + "/delete",
                   {{"Cookie", cookie}, {"X-CSRF-Token", csrf}, {"Referer", own_ + "/#/admin"}});
  ASSERT_TRUE(del);
  EXPECT_EQ(del->status, 200) << del->body;
}

TEST_P(DashboardApi, SignOutEndsTheSessionAndWrongPasswordsAreLimited) {
  auto [cookie, csrf] = SignIn();
  auto who = client_->Get("/session", {{"Cookie", cookie}});
  ASSERT_TRUE(who);
  EXPECT_EQ(json::parse(who->body)["user"], kAdminUser);
  auto out = client_->Post(
      "/session/delete", {{"Cookie", cookie}, {"X-CSRF-Token", csrf}, {"Origin", own_}}, "", kForm);
  ASSERT_TRUE(out);
  EXPECT_EQ(out->status, 200) << out->body;
  EXPECT_NE(out->get_header_value("Set-Cookie").find("Max-Age=0"), std::string::npos);
  auto after = PutArch("x", {{"Cookie", cookie}, {"X-CSRF-Token", csrf}, {"Origin", own_}});
  ASSERT_TRUE(after);
  EXPECT_EQ(after->status, 401);
  EXPECT_FALSE(after->has_header("WWW-Authenticate")) << "the browser would prompt";
  EXPECT_TRUE(json::parse(client_->Get("/session", {{"Cookie", cookie}})->body)["user"].is_null());

  int status = 0;
  for (int i = 0; i < 12 && status != 429; ++i) {
    auto r =
        client_->Post("/session", FormBody({{"user", kAdminUser}, {"password", "wrong"}}), kForm);
    ASSERT_TRUE(r);
    status = r->status;
    if (status != 429) {
      EXPECT_EQ(status, 401) << r->body;
    }
  }
  EXPECT_EQ(status, 429) << "failed sign-ins go through the rate limits";
}

TEST_P(DashboardApi, BasicActionsFromAnotherSiteAreRefused) {
  auto& admin = h_->admin();
  auto forged = admin.Put("/arch", {{"Origin", "http://127.0.0.1:1"}}, "name=b1", kForm);
  ASSERT_TRUE(forged);
  EXPECT_EQ(forged->status, 403) << forged->body;
  auto site = admin.Put("/arch", {{"Sec-Fetch-Site", "same-site"}}, "name=b2", kForm);
  ASSERT_TRUE(site);
  EXPECT_EQ(site->status, 403) << site->body;
  auto tool = admin.Put("/arch", "name=b3", kForm);  // curl, the hooks, the clients
  ASSERT_TRUE(tool);
  EXPECT_EQ(tool->status, 200) << tool->body;
  EXPECT_FALSE(tool->has_header("Access-Control-Allow-Origin"));
  auto anon = h_->anon().Get("/arch");
  EXPECT_EQ(anon->get_header_value("Access-Control-Allow-Origin"), "*");
}

TEST_P(DashboardApi, JobPagesNewestFirstAndTheOverviewCounts) {
  h_->AddOneTarget();
  for (int i = 1; i <= 5; ++i) {
    auto r = h_->admin().Post("/job/vcshook",
                              FormBody({{"package", "p" + std::to_string(i)},
                                        {"package_version", "1.0"},
                                        {"suite", "bookworm"},
                                        {"distribution", "Debian"},
                                        {"architecture_list", "any"},
                                        {"format", "deb"},
                                        {"method", "git"},
                                        {"uri", "https://git.example/p.git"}}),
                              kForm);
    ASSERT_TRUE(r && r->status == 200) << (r ? r->body : "");
  }
  auto ids = [&](const std::string& q) {
    auto r = h_->anon().Get("/job?" + q);
    EXPECT_TRUE(r && r->status == 200) << q << ": " << (r ? r->body : "");
    std::vector<long> out;
    for (const auto& j : json::parse(r->body)) out.push_back(j["id"]);
    return out;
  };
  EXPECT_EQ(ids("limit=2&view=rows"), (std::vector<long>{5, 4}));
  EXPECT_EQ(ids("limit=2&before=4"), (std::vector<long>{3, 2}));
  EXPECT_EQ(ids("limit=9&package=p2&view=rows"), (std::vector<long>{2}));
  EXPECT_EQ(ids("limit=9&since=" + std::to_string(INT64_C(4102444800000000))), std::vector<long>{});
  EXPECT_EQ(ids(""), (std::vector<long>{1, 2, 3, 4, 5})) << "without limit: as before";
  auto row = json::parse(h_->anon().Get("/job?limit=1&view=rows")->body)[0];
  EXPECT_EQ(row["package"], "p5");
  EXPECT_EQ(row["status"], "Waiting");
  EXPECT_EQ(row["arch"], "amd64");
  EXPECT_TRUE(row["time_us"].is_number());
  for (const char* bad : {"limit=0", "limit=501", "limit=x", "limit=1&before=-1",
                          "limit=1&view=html", "limit=1&since=soon"}) {
    auto r = h_->anon().Get(std::string("/job?") + bad);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 400) << bad << ": " << r->body;
  }
  auto summary = json::parse(h_->anon().Get("/job/summary")->body);
  ASSERT_EQ(summary["targets"].size(), 1u) << summary;
  EXPECT_EQ(summary["targets"][0]["status"], "Waiting");
  EXPECT_EQ(summary["targets"][0]["jobs"], 5);
  EXPECT_EQ(summary["targets"][0]["arch"], "amd64");
}

INSTANTIATE_TEST_SUITE_P(Stores, DashboardApi, ::testing::Values("sqlite", "postgres"));

}  // namespace
}  // namespace cbit::testing
