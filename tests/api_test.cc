// The REST API beyond the pyBit captures, on both stores: superseding by
// Debian version order, cancel and retry, POST /job, filters and paging, the
// GET aliases that change state, CORS, and clear 4xx answers for bad input.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <set>
#include <thread>

#include "queue/fake_publisher.h"
#include "queue/publisher.h"
#include "tests/support/controller_harness.h"
#include "tests/support/databases.h"

namespace cbit::testing {
namespace {

using nlohmann::json;

class Api : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    h_ = std::make_unique<ControllerHarness>(OpenTestDatabase(GetParam()), publisher_);
    for (auto [path, body] : std::vector<std::pair<std::string, std::string>>{
             {"/dist", "name=Debian"},
             {"/format", "name=deb"},
             {"/arch", "name=amd64"},
             {"/arch", "name=i386"},
             {"/suite", "name=bookworm"},
             {"/suitearch", "suite=bookworm&arch=amd64&master_weight=1"},
             {"/suitearch", "suite=bookworm&arch=i386&master_weight=0"}}) {
      auto r = Send("PUT", path, body);
      ASSERT_EQ(r.status, 200) << path << ": " << r.body;
    }
  }

  struct Answer {
    int status = 0;
    std::string body;
    httplib::Headers headers;
  };
  Answer Send(const std::string& method, const std::string& path, const std::string& body = "",
              bool auth = true) {
    auto& c = auth ? h_->admin() : h_->anon();
    httplib::Result r{nullptr, httplib::Error::Unknown};
    const char* form = "application/x-www-form-urlencoded";
    if (method == "GET") r = c.Get(path);
    if (method == "PUT") r = c.Put(path, body, form);
    if (method == "POST") r = c.Post(path, body, form);
    if (method == "DELETE") r = c.Delete(path);
    if (method == "OPTIONS") r = c.Options(path);
    EXPECT_TRUE(r) << method << " " << path;
    if (!r) return {};
    return {r->status, r->body, r->headers};
  }
  json Get(const std::string& path) {
    auto a = Send("GET", path, "", false);
    EXPECT_EQ(a.status, 200) << path << ": " << a.body;
    return json::parse(a.body);
  }
  json Submit(const std::string& name, const std::string& version,
              const std::string& archs = "any") {
    auto a = Send("POST", "/job/vcshook",
                  FormBody({{"package", name},
                            {"package_version", version},
                            {"suite", "bookworm"},
                            {"distribution", "Debian"},
                            {"architecture_list", archs},
                            {"format", "deb"},
                            {"method", "git"},
                            {"uri", "https://git.example/" + name + ".git"},
                            {"vcs_id", "v" + version}}));
    EXPECT_EQ(a.status, 200) << a.body;
    return json::parse(a.body);
  }
  std::string StatusOf(Id job) {
    auto history = Get("/job/" + std::to_string(job) + "/status");
    return history.back()["status"];
  }

  queue::FakePublisher publisher_;
  std::unique_ptr<ControllerHarness> h_;
};

TEST_P(Api, SupersedingFollowsDebianVersionOrder) {
  auto first = Submit("hello", "1.0-1");
  ASSERT_EQ(first["jobs"].size(), 2u);        // amd64 (master) and i386
  auto older = Submit("hello", "1.0~rc1-1");  // older: leaves 1.0-1 alone
  EXPECT_TRUE(older["cancelled"].empty());
  EXPECT_EQ(StatusOf(first["jobs"][0]), "Waiting");

  auto newer = Submit("hello", "1:0.1-1");  // the epoch makes it newest
  EXPECT_EQ(newer["cancelled"].size(), 4u);
  EXPECT_EQ(StatusOf(first["jobs"][0]), "Cancelled");
  EXPECT_EQ(StatusOf(older["jobs"][1]), "Cancelled");

  // A failure is history: never superseded.
  Id newer_amd64 = newer["jobs"][0];
  const std::string newer_path = "/job/" + std::to_string(newer_amd64);
  ASSERT_EQ(Send("PUT", newer_path, "status=Building&client=build_client_a").status, 200);
  ASSERT_EQ(Send("PUT", newer_path, "status=Failed").status, 200);
  auto again = Submit("hello", "1:0.1-1");
  EXPECT_EQ(again["cancelled"], json::array({newer["jobs"][1]}));
  EXPECT_EQ(StatusOf(newer_amd64), "Failed");
}

// Concurrent submissions share transactions (util/coalescer.h), but those
// of one target are recorded one after the other: each supersedes the one
// before, so exactly one job per target is left Waiting, and every
// superseded job is reported cancelled once.
TEST_P(Api, ConcurrentSubmissionsOfOneTargetSupersedeOneAnother) {
  constexpr int kThreads = 8, kEach = 10;
  std::vector<std::vector<json>> answers(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      httplib::Client c("127.0.0.1", h_->port());
      c.set_basic_auth(kAdminUser, kAdminPassword);
      for (int i = 0; i < kEach; ++i) {
        auto r = c.Post("/job/vcshook",
                        FormBody({{"package", "hello"},
                                  {"package_version", "1.0-1"},
                                  {"suite", "bookworm"},
                                  {"distribution", "Debian"},
                                  {"architecture_list", "any"},
                                  {"format", "deb"},
                                  {"method", "git"},
                                  {"uri", "https://git.example/x.git"}}),
                        "application/x-www-form-urlencoded");
        ASSERT_TRUE(r);
        ASSERT_EQ(r->status, 200) << r->body;
        answers[t].push_back(json::parse(r->body));
      }
    });
  }
  for (auto& t : threads) t.join();
  std::set<Id> jobs, cancelled;
  for (const auto& thread : answers) {
    for (const auto& a : thread) {
      for (Id j : a["jobs"]) jobs.insert(j);
      for (Id j : a["cancelled"]) EXPECT_TRUE(cancelled.insert(j).second) << "cancelled twice";
    }
  }
  EXPECT_EQ(jobs.size(), 2u * kThreads * kEach);
  EXPECT_EQ(cancelled.size(), jobs.size() - 2);
  auto waiting = Get("/job?status=Waiting");
  ASSERT_EQ(waiting.size(), 2u);
  for (const auto& j : waiting) EXPECT_FALSE(cancelled.count(j["id"])) << j;
  EXPECT_EQ(Get("/packageinstance").size(), 2u);
}

// A submission that fails in the store (its format was deleted behind the
// controller's catalog cache) fails alone: submissions sharing its batch
// are recorded and answered.
TEST_P(Api, AFailingSubmissionInABatchFailsAlone) {
  ASSERT_EQ(Send("PUT", "/format", "name=gone").status, 200);
  Submit("warmup", "1");  // the controller's catalog now knows 'gone'
  auto gone = h_->store().FindLookup(LookupKind::kFormat, "gone");
  ASSERT_TRUE(gone);
  h_->store().DeleteLookup(LookupKind::kFormat, gone->id);
  constexpr int kThreads = 8;
  std::vector<int> status(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      httplib::Client c("127.0.0.1", h_->port());
      c.set_basic_auth(kAdminUser, kAdminPassword);
      auto r = c.Post("/job/vcshook",
                      FormBody({{"package", "p" + std::to_string(t)},
                                {"package_version", "1"},
                                {"suite", "bookworm"},
                                {"distribution", "Debian"},
                                {"architecture_list", "any"},
                                {"format", t == 3 ? "gone" : "deb"},
                                {"method", "git"},
                                {"uri", "https://git.example/x.git"}}),
                      "application/x-www-form-urlencoded");
      status[t] = r ? r->status : -1;
    });
  }
  for (auto& t : threads) t.join();
  for (int t = 0; t < kThreads; ++t) {
    if (t == 3) {
      EXPECT_GE(status[t], 400);
      EXPECT_LT(status[t], 500);
    } else {
      EXPECT_EQ(status[t], 200) << t;
    }
  }
  EXPECT_TRUE(Get("/job?package=p3").empty());
  EXPECT_EQ(Get("/job?package=p4").size(), 2u);
}

TEST_P(Api, ArchAllBuildsOnTheMasterArchOnly) {
  auto all = Submit("docs", "2.0-1", "all");
  ASSERT_EQ(all["jobs"].size(), 1u);
  auto job = Get("/job/" + std::to_string(Id(all["jobs"][0])));
  EXPECT_EQ(job["packageinstance"]["arch"]["name"], "amd64");
  EXPECT_EQ(job["packageinstance"]["master"], true);
  auto one = Submit("tool", "1.0", "i386");
  EXPECT_EQ(Get("/job/" + std::to_string(Id(one["jobs"][0])))["packageinstance"]["master"], true);
  auto none = Send("POST", "/job/vcshook",
                   FormBody({{"package", "xx"},
                             {"package_version", "1"},
                             {"suite", "bookworm"},
                             {"distribution", "Debian"},
                             {"architecture_list", "mips"},
                             {"format", "deb"},
                             {"method", "git"},
                             {"uri", "https://x"}}));
  EXPECT_EQ(none.status, 400);
  EXPECT_NE(none.body.find("mips"), std::string::npos) << none.body;
}

TEST_P(Api, CancelRetryAndCancelAll) {
  auto s = Submit("hello", "1.0-1");
  Id a = s["jobs"][0], b = s["jobs"][1];
  auto cancel = Send("GET", "/job/" + std::to_string(a) + "/cancel");
  EXPECT_EQ(cancel.status, 200);
  EXPECT_NE(cancel.body.find("\"Cancelled\""), std::string::npos);
  EXPECT_EQ(Send("GET", "/job/" + std::to_string(a) + "/cancel").status, 409);

  auto retry = json::parse(Send("GET", "/job/" + std::to_string(a) + "/retry").body);
  ASSERT_EQ(retry["jobs"].size(), 1u);
  Id c = retry["jobs"][0];
  auto retried = Get("/job/" + std::to_string(c));
  EXPECT_EQ(retried["packageinstance"]["id"],
            Get("/job/" + std::to_string(a))["packageinstance"]["id"]);
  // Same transport as the original; the i386 job is another target and stays.
  EXPECT_NE(publisher_.sent().back().body.find("\"vcs_id\": \"v1.0-1\""), std::string::npos);
  EXPECT_EQ(StatusOf(b), "Waiting");

  auto all = json::parse(Send("GET", "/job/cancelall").body);
  EXPECT_EQ(all["cancelled"], 2);
  EXPECT_EQ(StatusOf(b), "Cancelled");
  EXPECT_EQ(StatusOf(c), "Cancelled");
  EXPECT_TRUE(Get("/job/status").empty());
  EXPECT_EQ(json::parse(Send("DELETE", "/job").body)["cancelled"], 0);
}

TEST_P(Api, PostJobForAnInstanceAndPackageCancel) {
  auto s = Submit("hello", "1.0-1");
  Id instance = Get("/job/" + std::to_string(Id(s["jobs"][0])))["packageinstance"]["id"];
  auto a = Send("POST", "/job",
                FormBody({{"packageinstance_id", std::to_string(instance)},
                          {"method", "svn"},
                          {"uri", "svn://svn.example/hello"},
                          {"vcs_id", "42"}}));
  ASSERT_EQ(a.status, 200) << a.body;
  EXPECT_EQ(json::parse(a.body)["jobs"].size(), 1u);
  EXPECT_EQ(Send("POST", "/job",
                 FormBody({{"packageinstance_id", "999"}, {"method", "git"}, {"uri", "https://x"}}))
                .status,
            404);
  auto active = Send("GET", "/package/1/active", "", false);
  EXPECT_EQ(active.body, "True");
  auto cancelled = json::parse(Send("GET", "/package/1/cancel").body);
  EXPECT_EQ(cancelled["cancelled"], 2);
  EXPECT_EQ(Send("GET", "/package/1/active", "", false).body, "False");
}

TEST_P(Api, FiltersPagingAndCounts) {
  for (int i = 0; i < 7; ++i) Submit("pkg" + std::to_string(i), "1.0");
  EXPECT_EQ(Get("/job").size(), 14u);
  EXPECT_EQ(Get("/jobs?arch=i386").size(), 7u);
  EXPECT_EQ(Get("/job?arch=i386&package=pkg3").size(), 1u);
  EXPECT_EQ(Get("/job?arch=i386&package=pkg3&version=1.0").size(), 1u);
  EXPECT_EQ(Get("/job?package=pkg3&version=1.1").size(), 0u);
  EXPECT_EQ(Get("/job?status=Building").size(), 0u);
  EXPECT_EQ(Get("/job/page/1").size(), 10u);
  EXPECT_EQ(Get("/job/page/2").size(), 4u);
  EXPECT_EQ(Get("/job/page/3").size(), 0u);
  EXPECT_EQ(Get("/job/count"), 2);
  EXPECT_EQ(Get("/job/count?arch=amd64"), 1);
  EXPECT_EQ(Get("/package/count"), 1);
  EXPECT_EQ(Get("/packageinstance/page/2").size(), 4u);
  ASSERT_EQ(Send("PUT", "/job/2", "status=Building&client=build_client_i386").status, 200);
  EXPECT_EQ(Get("/job?client=build_client_i386").size(), 1u);
  EXPECT_EQ(Get("/buildd/1/jobs").size(), 1u);
  EXPECT_EQ(Get("/job/status/Building").size(), 1u);
}

TEST_P(Api, TogglemasterDeleteAndReferences) {
  Submit("hello", "1.0-1");
  auto t = Send("GET", "/packageinstance/2/togglemaster/1");
  ASSERT_EQ(t.status, 200) << t.body;
  EXPECT_EQ(json::parse(t.body)["master"], true);
  EXPECT_EQ(Send("GET", "/packageinstance/2/togglemaster/1", "", false).status, 401);
  // Still referenced by jobs → 409; a job deleted → its instance can go.
  auto in_use = Send("DELETE", "/packageinstance/2");
  EXPECT_EQ(in_use.status, 409);
  EXPECT_NE(in_use.body.find("job"), std::string::npos) << in_use.body;
  EXPECT_EQ(Send("GET", "/job/2/delete").status, 200);
  EXPECT_EQ(Send("GET", "/job/2", "", false).status, 404);
  EXPECT_EQ(Send("GET", "/packageinstance/2/delete").status, 200);
  EXPECT_EQ(Send("GET", "/packageinstance/2", "", false).status, 404);
  EXPECT_EQ(Send("DELETE", "/suite/1").status, 409);
  EXPECT_EQ(Send("DELETE", "/arch/99").status, 404);
  EXPECT_EQ(Send("PUT", "/arch", "name=amd64").status, 409);
}

TEST_P(Api, BuiltInStatusesCannotBeDeletedButAddedOnesCan) {
  Id cancelled = 0;
  for (const auto& s : Get("/status"))
    if (s["name"] == "Cancelled") cancelled = s["id"].get<Id>();
  ASSERT_NE(cancelled, 0);
  auto refused = Send("DELETE", "/status/" + std::to_string(cancelled));
  EXPECT_EQ(refused.status, 409);
  EXPECT_NE(refused.body.find("built in"), std::string::npos) << refused.body;
  // Superseding still marks the older job Cancelled.
  Submit("hello", "1.0-1");
  Submit("hello", "1.0-2");
  EXPECT_EQ(StatusOf(1), "Cancelled");
  auto added = Send("PUT", "/status", "name=Stale");
  ASSERT_EQ(added.status, 200) << added.body;
  auto id = json::parse(added.body)["id"].get<Id>();
  EXPECT_EQ(Send("DELETE", "/status/" + std::to_string(id)).status, 200);
}

TEST_P(Api, BadInputGetsAClear4xx) {
  auto bad = Send("POST", "/job/vcshook",
                  FormBody({{"package", "Bad Name"},
                            {"package_version", "1.0;rm -rf /"},
                            {"suite", "bookworm"},
                            {"distribution", "Debian"},
                            {"architecture_list", "any"},
                            {"format", "deb"},
                            {"method", "git"},
                            {"uri", "--upload-pack=touch /tmp/x"},
                            {"vcs_id", "-x"}}));
  EXPECT_EQ(bad.status, 400);
  for (auto what : {"package", "package_version", "uri", "vcs_id"})
    EXPECT_NE(bad.body.find(what), std::string::npos) << what << ": " << bad.body;
  auto unknown = Send("POST", "/job/vcshook",
                      FormBody({{"package", "hello"},
                                {"package_version", "1"},
                                {"suite", "sid"},
                                {"distribution", "Ubuntu"},
                                {"architecture_list", "any"},
                                {"format", "rpm"},
                                {"method", "git"},
                                {"uri", "https://x"}}));
  EXPECT_EQ(unknown.status, 400);
  for (auto what : {"'sid'", "'Ubuntu'", "'rpm'"})
    EXPECT_NE(unknown.body.find(what), std::string::npos) << what << ": " << unknown.body;
  EXPECT_EQ(Send("PUT", "/arch", "name=../x").status, 400);
  EXPECT_EQ(Send("PUT", "/arch", "").status, 400);
  EXPECT_EQ(Send("PUT", "/blacklist", "field=name&regex=([").status, 400);
  EXPECT_EQ(Send("PUT", "/blacklist", "field=version&regex=x").status, 400);
  EXPECT_EQ(Send("PUT", "/suitearch", "suite_id=abc&arch_id=1").status, 400);
  EXPECT_EQ(Send("PUT", "/job/1", "status=Bogus").status, 400);
  EXPECT_EQ(Send("PUT", "/job/999", "status=Done").status, 404);
  EXPECT_EQ(Send("GET", "/job/abc", "", false).status, 404);
  EXPECT_EQ(Send("GET", "/nowhere", "", false).status, 404);
  EXPECT_EQ(Send("PUT", "/arch", "name=x", false).status, 401);
  EXPECT_EQ(Send("GET", "/arch/1/delete", "", false).status, 401);
  EXPECT_EQ(Send("GET", "/job/cancelall", "", false).status, 401);
}

// pyBit's procmail hook (hook/changes-debian) posts a mailed .changes with
// `uri=` and `vcs_id=` empty: the apt method fetches package=version from the
// client's own sources. pyBit took it; a uri is still needed by git and svn.
TEST_P(Api, PyBitsChangesHookSubmitsAptWithAnEmptyUriAndVcsId) {
  auto changes = [](const std::string& method, const std::string& package) {
    return FormBody({{"method", method},
                     {"distribution", "Debian"},
                     {"vcs_id", ""},
                     {"architecture_list", "amd64"},
                     {"package_version", "1.0-1"},
                     {"package", package},
                     {"suite", "bookworm"},
                     {"format", "deb"},
                     {"uri", ""}});
  };
  auto a = Send("POST", "/job/vcshook", changes("apt", "hello"));
  ASSERT_EQ(a.status, 200) << a.body;
  ASSERT_EQ(json::parse(a.body)["jobs"].size(), 1u);
  auto sent = json::parse(publisher_.sent().back().body);
  EXPECT_EQ(sent["transport"]["method"], "apt");
  EXPECT_EQ(sent["transport"]["uri"], "");
  EXPECT_EQ(sent["transport"]["vcs_id"], "");
  // Retry resubmits the stored transport, empty uri included.
  Id job = json::parse(a.body)["jobs"][0];
  EXPECT_EQ(Send("GET", "/job/" + std::to_string(job) + "/retry").status, 200);
  Id instance = Get("/job/" + std::to_string(job))["packageinstance"]["id"];
  EXPECT_EQ(
      Send("POST", "/job",
           FormBody(
               {{"packageinstance_id", std::to_string(instance)}, {"method", "apt"}, {"uri", ""}}))
          .status,
      200);

  for (const char* method : {"git", "svn"}) {
    auto b = Send("POST", "/job/vcshook", changes(method, "hello"));
    EXPECT_EQ(b.status, 400) << method;
    EXPECT_NE(b.body.find("uri"), std::string::npos) << method << ": " << b.body;
  }
  auto nameless = Send("POST", "/job/vcshook", changes("apt", ""));
  EXPECT_EQ(nameless.status, 400);
  EXPECT_NE(nameless.body.find("package"), std::string::npos) << nameless.body;
  auto methodless = Send("POST", "/job/vcshook", changes("", "hello"));
  EXPECT_EQ(methodless.status, 400);
  EXPECT_NE(methodless.body.find("method"), std::string::npos) << methodless.body;
}

TEST_P(Api, CorsOnEveryAnswerAndPreflight) {
  auto pre = Send("OPTIONS", "/job/vcshook", "", false);
  EXPECT_EQ(pre.status, 204);
  auto has = [](const httplib::Headers& h, const char* k) { return h.find(k) != h.end(); };
  EXPECT_TRUE(has(pre.headers, "Access-Control-Allow-Methods"));
  EXPECT_TRUE(has(Send("GET", "/nowhere", "", false).headers, "Access-Control-Allow-Origin"));
  EXPECT_TRUE(has(Send("PUT", "/arch", "name=y", false).headers, "Access-Control-Allow-Origin"));
}

// Status reports follow the life cycle (controller/transitions.h).
TEST_P(Api, AFinishedJobStaysFinished) {
  Id job = Submit("hello", "1.0", "amd64")["jobs"][0];
  const std::string path = "/job/" + std::to_string(job);
  ASSERT_EQ(Send("GET", path + "/cancel").status, 200);
  auto a = Send("PUT", path, "status=Uploaded");
  EXPECT_EQ(a.status, 409);
  EXPECT_NE(a.body.find("is Cancelled: it cannot become Uploaded"), std::string::npos) << a.body;
  EXPECT_EQ(Send("PUT", path, "status=Building&client=build_client_a").status, 409);
  EXPECT_EQ(StatusOf(job), "Cancelled");
  // A status outside the life cycle is never entered.
  ASSERT_EQ(Send("PUT", "/status", "name=Reviewed").status, 200);
  Id other = Submit("other", "1.0", "amd64")["jobs"][0];
  EXPECT_EQ(Send("PUT", "/job/" + std::to_string(other), "status=Reviewed").status, 409);
}

TEST_P(Api, AReportOnAnotherClientsJobIsRefusedNamingTheHolder) {
  Id job = Submit("hello", "1.0", "amd64")["jobs"][0];
  const std::string path = "/job/" + std::to_string(job);
  ASSERT_EQ(Send("PUT", path, "status=Building&client=build_client_a").status, 200);
  auto a = Send("PUT", path, "status=Done&client=build_client_b");
  EXPECT_EQ(a.status, 409);
  EXPECT_EQ(json::parse(a.body)["error"],
            "job " + std::to_string(job) +
                " is held by build_client_a: a report from build_client_b is refused");
  EXPECT_EQ(Send("PUT", path, "status=Building&client=build_client_b").status, 409);
  EXPECT_EQ(StatusOf(job), "Building");
  // A takeover naming the holder is accepted once; a second one, naming the
  // holder it replaced, is refused.
  EXPECT_EQ(
      Send("PUT", path, "status=Building&client=build_client_b&takeover=build_client_a").status,
      200);
  a = Send("PUT", path, "status=Building&client=build_client_c&takeover=build_client_a");
  EXPECT_EQ(a.status, 409);
  EXPECT_NE(a.body.find("held by build_client_b"), std::string::npos) << a.body;
  EXPECT_EQ(Send("PUT", path, "status=Done&client=build_client_b").status, 200);
}

// A client names why a job failed (its failure class first); the reason is
// kept with that row of the history, and bounded.
TEST_P(Api, AReportsReasonIsRecordedWithItsStatus) {
  Id job = Submit("hello", "1.0", "amd64")["jobs"][0];
  const std::string path = "/job/" + std::to_string(job);
  ASSERT_EQ(Send("PUT", path, "status=Building&client=build_client_a").status, 200);
  auto a = Send("PUT", path,
                "status=Failed&client=build_client_a&reason=" +
                    std::string(status::kMaxReasonBytes + 1, 'x'));
  EXPECT_EQ(a.status, 400);
  EXPECT_NE(a.body.find("reason is longer than 1024 bytes"), std::string::npos) << a.body;
  a = Send("PUT", path, "status=Failed&client=build_client_a&reason=two%0Alines");
  EXPECT_EQ(a.status, 400);
  EXPECT_NE(a.body.find("reason holds a control character"), std::string::npos) << a.body;
  EXPECT_EQ(StatusOf(job), "Building");
  ASSERT_EQ(Send("PUT", path,
                 "status=Failed&client=build_client_a&reason=timeout%3A+dpkg-buildpackage+timed+"
                 "out")
                .status,
            200);
  json history = Get(path + "/status");
  ASSERT_EQ(history.size(), 3u);
  EXPECT_FALSE(history[1].contains("reason"));  // pyBit's shape where none was given
  EXPECT_EQ(history[2]["status"], "Failed");
  EXPECT_EQ(history[2]["reason"], "timeout: dpkg-buildpackage timed out");
}

TEST_P(Api, ARepeatedReportIsAcceptedAndRecordedOnce) {
  Id job = Submit("hello", "1.0", "amd64")["jobs"][0];
  const std::string path = "/job/" + std::to_string(job);
  ASSERT_EQ(Send("PUT", path, "status=Building&client=build_client_a").status, 200);
  // pyBit's client reports its outcome without a client name.
  for (int i = 0; i < 2; ++i) EXPECT_EQ(Send("PUT", path, "status=Done").status, 200);
  EXPECT_EQ(Send("PUT", path, "status=Done&client=build_client_a").status, 200);
  for (int i = 0; i < 2; ++i) EXPECT_EQ(Send("PUT", path, "status=Uploaded").status, 200);
  std::vector<std::string> statuses;
  for (const auto& row : Get(path + "/status")) statuses.push_back(row["status"]);
  EXPECT_EQ(statuses, (std::vector<std::string>{"Waiting", "Building", "Done", "Uploaded"}));
}

INSTANTIATE_TEST_SUITE_P(Stores, Api, ::testing::Values("sqlite", "postgres"));

}  // namespace
}  // namespace cbit::testing
