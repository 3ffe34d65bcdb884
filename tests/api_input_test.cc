// Input the controller refuses before it records anything, on both stores:
// sources the clients would refuse, option-like values, numbers out of
// range, and blacklist rules that would not run in linear time. Each
// refusal is a 400 naming the field.
#include <gtest/gtest.h>

#include <chrono>
#include <nlohmann/json.hpp>

#include "queue/fake_publisher.h"
#include "tests/support/controller_harness.h"
#include "tests/support/databases.h"

namespace cbit::testing {
namespace {

using nlohmann::json;

class ApiInput : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    // As a farm whose clients are other machines: local paths are refused.
    h_ = std::make_unique<ControllerHarness>(
        OpenTestDatabase(GetParam()), publisher_, "localhost:18080", web::WebhookConfig{}, "",
        /*wait_for_confirm=*/false, [](web::Config& c) { c.allow_local_uris = false; });
    ASSERT_NO_FATAL_FAILURE(h_->AddOneTarget("amd64"));
  }

  httplib::Result Post(const std::string& path, const std::string& body) {
    return h_->admin().Post(path, body, "application/x-www-form-urlencoded");
  }

  httplib::Result Submit(const std::string& uri, const std::string& vcs_id = "abc123",
                         const std::string& version = "1.0-1", const std::string& method = "git",
                         const std::string& package = "hello") {
    return Post("/job/vcshook", FormBody({{"method", method},
                                          {"uri", uri},
                                          {"vcs_id", vcs_id},
                                          {"distribution", "Debian"},
                                          {"architecture_list", "any"},
                                          {"package_version", version},
                                          {"package", package},
                                          {"suite", "bookworm"},
                                          {"format", "deb"}}));
  }

  // A 400 whose message names `field`.
  static void ExpectRefused(const httplib::Result& r, const std::string& field,
                            const std::string& what) {
    ASSERT_TRUE(r) << what;
    EXPECT_EQ(r->status, 400) << what << ": " << r->body;
    EXPECT_NE(r->body.find(field), std::string::npos) << what << ": " << r->body;
  }

  queue::FakePublisher publisher_;
  std::unique_ptr<ControllerHarness> h_;
};

TEST_P(ApiInput, SourcesTheClientsWouldRefuseAreRefused) {
  for (const char* uri :
       {"ext::git-upload-pack%20/srv/x", "fd::17", "evil://host/x", "file:///srv/git/hello.git",
        "/srv/git/hello.git", "../hello", "-oProxyCommand=touch%20/tmp/x", "--upload-pack=touch"}) {
    ExpectRefused(Submit(uri), "uri", uri);
  }
  ExpectRefused(Submit("https://git.example/hello.git", "--output=/etc/x"), "vcs_id", "vcs_id");
  ExpectRefused(Submit("https://git.example/hello.git", "abc", "1.0-1", "bzr"), "method", "bzr");
  EXPECT_TRUE(publisher_.sent().empty());
  auto ok = Submit("https://git.example/hello.git");
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->status, 200) << ok->body;

  // POST /job (a new job for an instance) checks its transport the same way.
  Id instance = json::parse(h_->admin().Get("/packageinstance")->body)[0]["id"];
  std::string id = std::to_string(instance);
  ExpectRefused(
      Post("/job",
           FormBody({{"packageinstance_id", id}, {"method", "git"}, {"uri", "ext::sh%20-c%20id"}})),
      "uri", "POST /job ext::");
  ExpectRefused(
      Post("/job",
           FormBody({{"packageinstance_id", id}, {"method", "git"}, {"uri", "file:///etc"}})),
      "uri", "POST /job file://");
}

TEST_P(ApiInput, EpochsBeyondDpkgsLimitAreRefused) {
  ExpectRefused(Submit("https://git.example/hello.git", "abc", "4294967296:1.0-1"),
                "package_version", "epoch 2^32");
  ExpectRefused(Submit("https://git.example/hello.git", "abc", "2147483648:1.0-1"),
                "package_version", "epoch 2^31");
  ExpectRefused(Submit("https://git.example/hello.git", "abc", "-1.0"), "package_version",
                "option-like version");
  auto ok = Submit("https://git.example/hello.git", "abc", "2147483647:1.0-1");
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->status, 200) << ok->body;
}

TEST_P(ApiInput, NumbersAreWholeNumbers) {
  ASSERT_EQ(Submit("https://git.example/hello.git")->status, 200);
  ExpectRefused(Post("/job", FormBody({{"packageinstance_id", "1abc"},
                                       {"method", "git"},
                                       {"uri", "https://git.example/hello.git"}})),
                "packageinstance_id", "1abc");
  ExpectRefused(Post("/job", FormBody({{"packageinstance_id", "99999999999999999999"},
                                       {"method", "git"},
                                       {"uri", "https://git.example/hello.git"}})),
                "packageinstance_id", "2^66");
  ExpectRefused(Post("/suitearch", "suite=bookworm&arch=amd64&master_weight=1abc"), "master_weight",
                "master_weight");
  ExpectRefused(Post("/suitearch", "suite_id=1abc&arch=amd64"), "suite_id", "suite_id");
}

// A rule RE2 cannot run is refused when added, naming it; a rule that would
// backtrack exponentially in std::regex answers at once.
TEST_P(ApiInput, BlacklistRulesRunInLinearTime) {
  auto lookaround = Post("/blacklist", FormBody({{"field", "name"}, {"regex", "foo(?=bar)"}}));
  ExpectRefused(lookaround, "foo(?=bar)", "lookahead");
  // The JSON answer escapes the rule's backslash.
  ExpectRefused(Post("/blacklist", FormBody({{"field", "name"}, {"regex", "(a)\\1"}})),
                "regex '(a)\\\\1' does not compile (RE2", "backreference");
  ASSERT_EQ(Post("/blacklist", FormBody({{"field", "name"}, {"regex", "(a|aa)*c"}}))->status, 200);
  ASSERT_EQ(Post("/blacklist", FormBody({{"field", "vcs_uri"}, {"regex", "(x+x+)+y"}}))->status,
            200);
  auto start = std::chrono::steady_clock::now();
  // git reads host:path as ssh: a remote source.
  auto r =
      Submit(std::string(1000, 'x') + ":hello.git", "abc", "1.0-1", "git", std::string(100, 'a'));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200) << r->body;
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(5));
  auto refused = Submit("https://git.example/x", "abc", "1.0-1", "git", "aaac");
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->status, 403) << refused->body;
}

INSTANTIATE_TEST_SUITE_P(Stores, ApiInput, ::testing::Values("sqlite", "postgres"));

}  // namespace
}  // namespace cbit::testing
