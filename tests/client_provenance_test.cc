// Provenance end to end: the real cbit-client builds a package on the host
// and reports its attempt's end with the .buildinfo and versions, which
// GET /job/<id>/buildinfo serves; the report's fields are checked, and a
// report without them (pyBit's client) keeps working.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "tests/support/client_e2e.h"
#include "tests/support/fixture.h"

namespace cbit::testing {
namespace {
using std::chrono::seconds;

class ClientProvenance : public ClientE2e {
 protected:
  httplib::Result Report(Id job, std::initializer_list<std::pair<std::string, std::string>> form) {
    return harness().admin().Put("/job/" + std::to_string(job), FormBody(form),
                                 "application/x-www-form-urlencoded");
  }
  httplib::Result Buildinfo(Id job, const std::string& query = "") {
    return harness().anon().Get("/job/" + std::to_string(job) + "/buildinfo" + query);
  }
};

TEST_F(ClientProvenance, ARealBuildsBuildinfoComesBack) {
  PackageSpec spec{.name = "hello-prov", .suite = suite()};
  auto repo = MakeGitRepo(spec, scratch());
  ClientProcess client(Client("build_client_prov_a"));
  Id job = Submit(spec, "git", repo.path, repo.commit);
  ASSERT_TRUE(WaitForStatus(job, "Done", seconds(300))) << client.Log() << LogOf(job);
  auto r = Buildinfo(job);
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200) << r->body;
  auto j = nlohmann::json::parse(r->body);
  EXPECT_EQ(j["job"], job);
  EXPECT_EQ(j["attempt"], 1);
  EXPECT_EQ(j["client"], "build_client_prov_a");
  EXPECT_EQ(j["builder"], "host (dpkg-buildpackage)");
  EXPECT_EQ(j["client_version"].get<std::string>().rfind("cbit-client ", 0), 0u);
  std::string buildinfo = j["buildinfo"].get<std::string>();
  EXPECT_EQ(buildinfo.rfind("Format: 1.0\nSource: hello-prov\n", 0), 0u) << buildinfo;
  EXPECT_NE(buildinfo.find("Installed-Build-Depends:"), std::string::npos) << buildinfo;
  EXPECT_EQ(Buildinfo(job, "?attempt=1")->body, r->body);
  auto missing = Buildinfo(job, "?attempt=2");
  EXPECT_EQ(missing->status, 404);
  EXPECT_NE(missing->body.find("has no build attempt 2 (it has had 1)"), std::string::npos)
      << missing->body;
  EXPECT_EQ(client.Stop(), 0);
}

TEST_F(ClientProvenance, TheReportsFieldsAreCheckedAndOptional) {
  PackageSpec spec{.name = "hello-prov-api", .suite = suite()};
  Id job = Submit(spec, "git", "https://example.org/none.git", "abc");
  auto nothing = Buildinfo(job);
  EXPECT_EQ(nothing->status, 404);
  EXPECT_NE(nothing->body.find("has not been built yet"), std::string::npos) << nothing->body;
  auto early = Report(job, {{"status", "Building"}, {"client", "c1"}, {"builder", "host"}});
  EXPECT_EQ(early->status, 400);
  EXPECT_NE(early->body.find("comes with the report that ends an attempt"), std::string::npos);
  ASSERT_EQ(Report(job, {{"status", "Building"}, {"client", "c1"}})->status, 200);
  // A pyBit client's report: no provenance, nothing kept.
  ASSERT_EQ(Report(job, {{"status", "Waiting"}, {"client", "c1"}})->status, 200);
  auto none = Buildinfo(job);
  EXPECT_EQ(none->status, 404);
  EXPECT_NE(none->body.find("build attempt 1 has no provenance"), std::string::npos) << none->body;

  ASSERT_EQ(Report(job, {{"status", "Building"}, {"client", "c1"}})->status, 200);
  auto bad_digest = Report(job, {{"status", "Done"}, {"client", "c1"}, {"root_digest", "a\nb"}});
  EXPECT_EQ(bad_digest->status, 400);
  EXPECT_NE(bad_digest->body.find("root_digest is not printable ASCII"), std::string::npos);
  auto long_builder =
      Report(job, {{"status", "Done"}, {"client", "c1"}, {"builder", std::string(201, 'b')}});
  EXPECT_EQ(long_builder->status, 400);
  EXPECT_NE(long_builder->body.find("builder is longer than 200 bytes"), std::string::npos);
  auto not_utf8 = Report(job, {{"status", "Done"}, {"client", "c1"}, {"buildinfo", "\xff\xfe"}});
  EXPECT_EQ(not_utf8->status, 400);
  EXPECT_NE(not_utf8->body.find("buildinfo is not UTF-8 text"), std::string::npos);
  auto huge = Report(
      job, {{"status", "Done"}, {"client", "c1"}, {"buildinfo", std::string((1 << 20) + 1, 'x')}});
  EXPECT_EQ(huge->status, 400);
  EXPECT_NE(huge->body.find("buildinfo is longer than 1048576 bytes"), std::string::npos);
  EXPECT_EQ(harness().store().GetJob(job).status, "Building");  // none of them was taken

  ASSERT_EQ(Report(job, {{"status", "Done"},
                         {"client", "c1"},
                         {"buildinfo", "Format: 1.0\n"},
                         {"root_digest", "sha256:00"},
                         {"root_created", "2026-12-01T10:00:00Z"}})
                ->status,
            200);
  auto j = nlohmann::json::parse(Buildinfo(job)->body);
  EXPECT_EQ(j["attempt"], 2);
  EXPECT_EQ(j["client"], "c1");
  EXPECT_EQ(j["buildinfo"], "Format: 1.0\n");
  EXPECT_EQ(j["root"]["digest"], "sha256:00");
  EXPECT_EQ(j["root"]["created"], "2026-12-01T10:00:00Z");
  EXPECT_EQ(Buildinfo(job, "?attempt=0")->status, 400);
}

}  // namespace
}  // namespace cbit::testing
