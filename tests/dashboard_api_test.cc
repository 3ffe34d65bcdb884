// What the dashboard relies on, over HTTP on both stores: its pages and
// their security headers, sign-in sessions and the checks on actions signed
// in by the cookie (CSRF token, the controller's own origin), the refusal
// of Basic-signed actions another site's page sends, job pages newest first
// and sorted by a column, the overview's counts, the admin's changes to a
// row and the queues a client's heartbeat tells.
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

// Job ids of an answer, and the error of a refused one.
std::vector<long> PageIds(ControllerHarness& h, const std::string& q) {
  auto r = h.anon().Get("/job?" + q);
  EXPECT_TRUE(r && r->status == 200) << q << ": " << (r ? r->body : "");
  std::vector<long> out;
  if (r && r->status == 200)
    for (const auto& j : json::parse(r->body)) out.push_back(j["id"]);
  return out;
}

std::string Refusal(httplib::Result r, int status) {
  EXPECT_TRUE(r);
  if (!r) return "";
  EXPECT_EQ(r->status, status) << r->body;
  return r->body;
}

TEST_P(DashboardApi, JobPagesSortedByAColumnAndPagedByTheLastRow) {
  h_->AddOneTarget();
  // p3 is submitted last, so that package order and id order differ.
  for (const char* package : {"p2", "p5", "p1", "p4", "p3"}) {
    auto r = h_->admin().Post("/job/vcshook",
                              FormBody({{"package", package},
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
  EXPECT_EQ(PageIds(*h_, "limit=2&view=rows&sort=package&order=asc"), (std::vector<long>{3, 1}));
  EXPECT_EQ(PageIds(*h_, "limit=2&view=rows&sort=package&order=asc&after=1&key=p2"),
            (std::vector<long>{5, 4}));
  EXPECT_EQ(PageIds(*h_, "limit=9&sort=package&order=desc&after=4&key=p4"),
            (std::vector<long>{5, 1, 3}));
  EXPECT_EQ(PageIds(*h_, "limit=2&sort=id&order=asc&after=3"), (std::vector<long>{4, 5}));
  EXPECT_EQ(PageIds(*h_, "limit=9&sort=status&order=asc"), (std::vector<long>{1, 2, 3, 4, 5}));
  EXPECT_EQ(PageIds(*h_, "limit=9&sort=time&order=desc&package=p4"), (std::vector<long>{4}));
  EXPECT_NE(Refusal(h_->anon().Get("/job?limit=2&sort=pi.id"), 400)
                .find("sort 'pi.id' is not a column: id, package, version"),
            std::string::npos);
  EXPECT_NE(Refusal(h_->anon().Get("/job?limit=2&sort=id&order=up"), 400)
                .find("order 'up' is not asc or desc"),
            std::string::npos);
  EXPECT_NE(Refusal(h_->anon().Get("/job?limit=2&sort=package&before=3"), 400).find("before"),
            std::string::npos);
  EXPECT_NE(
      Refusal(h_->anon().Get("/job?limit=2&sort=package&after=3"), 400).find("key is missing"),
      std::string::npos);
  EXPECT_NE(Refusal(h_->anon().Get("/job?limit=2&sort=time&after=3&key=noon"), 400)
                .find("key 'noon' is not a number"),
            std::string::npos);
}

TEST_P(DashboardApi, AdminChangesAWeightARuleAndAMappingOrHearsWhyNot) {
  h_->AddOneTarget();
  auto put = [&](const std::string& path, const std::string& body) {
    return h_->admin().Put(path, body, kForm);
  };
  auto weight = put("/suitearch/1", "master_weight=7");
  ASSERT_TRUE(weight && weight->status == 200) << (weight ? weight->body : "");
  EXPECT_EQ(json::parse(h_->anon().Get("/suitearch/1")->body)["master_weight"], 7);
  EXPECT_NE(Refusal(put("/suitearch/1", "master_weight=heavy"), 400).find("master_weight"),
            std::string::npos);
  EXPECT_NE(Refusal(put("/suitearch/1", "master_weight=1&arch=i386"), 400)
                .find("arch of a suite arch cannot change"),
            std::string::npos);
  EXPECT_NE(Refusal(put("/suitearch/99", "master_weight=1"), 404).find("no suite arch with id 99"),
            std::string::npos);

  ASSERT_EQ(put("/blacklist", "field=name&regex=^old$")->status, 200);
  auto rule = put("/blacklist/1", "regex=^new-.*$");
  ASSERT_TRUE(rule && rule->status == 200) << (rule ? rule->body : "");
  auto got = json::parse(h_->anon().Get("/blacklist/1")->body);
  EXPECT_EQ(got["regex"], "^new-.*$");
  EXPECT_EQ(got["field"], "name");
  Refusal(put("/blacklist/1", "regex=("), 400);
  Refusal(put("/blacklist/1", "field=colour"), 400);
  EXPECT_NE(Refusal(put("/blacklist/1", ""), 400).find("nothing to change"), std::string::npos);
  EXPECT_EQ(json::parse(h_->anon().Get("/blacklist/1")->body)["regex"], "^new-.*$");

  for (const char* env : {"name=bullseye", "name=trixie"}) ASSERT_EQ(put("/env", env)->status, 200);
  ASSERT_EQ(put("/buildenv_suitearch", "buildenv=bullseye&suitearch_id=1")->status, 200);
  ASSERT_EQ(put("/buildenv_suitearch", "buildenv=trixie&suitearch_id=1")->status, 200);
  auto moved = put("/buildenv_suitearch/1", "buildenv=bookworm");
  EXPECT_NE(Refusal(std::move(moved), 400).find("buildenv 'bookworm' is not known"),
            std::string::npos);
  EXPECT_NE(Refusal(put("/buildenv_suitearch/1", "buildenv=trixie"), 409).find("already serves"),
            std::string::npos);
  EXPECT_NE(Refusal(put("/buildenv_suitearch/1", "suitearch_id=42"), 404)
                .find("no suite arch with id 42"),
            std::string::npos);
  ASSERT_EQ(put("/env", "name=sid")->status, 200);
  auto env = put("/buildenv_suitearch/1", "buildenv=sid");
  ASSERT_TRUE(env && env->status == 200) << (env ? env->body : "");
  EXPECT_EQ(json::parse(h_->anon().Get("/buildenv_suitearch/1")->body)["buildenv"]["name"], "sid");
}

TEST_P(DashboardApi, AClientsHeartbeatTellsItsQueues) {
  auto beat = [&](const std::string& client, const std::string& body) {
    return h_->admin().Put("/buildd/" + client + "/heartbeat", body, kForm);
  };
  auto listed = [&](const std::string& client) {
    for (const auto& c : json::parse(h_->anon().Get("/buildd/heartbeats")->body))
      if (c["name"] == client) return c["queues"];
    return json("not listed");
  };
  ASSERT_EQ(beat("old_client", "")->status, 200);
  EXPECT_TRUE(listed("old_client").is_null()) << "a client that never said";
  auto r = beat("new_client", "queues=Debian_amd64_bookworm_deb,new_client");
  ASSERT_TRUE(r && r->status == 200) << (r ? r->body : "");
  EXPECT_EQ(json::parse(r->body)["queues"], json({"Debian_amd64_bookworm_deb", "new_client"}));
  EXPECT_EQ(listed("new_client"), json({"Debian_amd64_bookworm_deb", "new_client"}));
  ASSERT_EQ(beat("new_client", "")->status, 200);
  EXPECT_EQ(listed("new_client"), json({"Debian_amd64_bookworm_deb", "new_client"}))
      << "a heartbeat without queues keeps them";
  EXPECT_EQ(json::parse(h_->anon().Get("/buildd/new_client/heartbeat")->body)["queues"].size(), 2u);
  for (const char* bad : {"queues=a,,b", "queues=a,", "queues=a%20b", "queues=a;rm"})
    EXPECT_NE(Refusal(beat("new_client", bad), 400).find("queue"), std::string::npos) << bad;
  std::string many = "queues=q0";
  for (int i = 1; i <= 100; ++i) many += ",q" + std::to_string(i);
  EXPECT_NE(Refusal(beat("new_client", many), 400).find("more than 100"), std::string::npos);
  ASSERT_EQ(beat("new_client", "queues=")->status, 200);
  EXPECT_EQ(listed("new_client"), json::array()) << "a client that consumes nothing";
}

INSTANTIATE_TEST_SUITE_P(Stores, DashboardApi, ::testing::Values("sqlite", "postgres"));

}  // namespace
}  // namespace cbit::testing
