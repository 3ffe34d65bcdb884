#include "hooks/hook.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "testing/test_dir.h"

namespace cbit::hooks {
namespace {

TEST(RunChanges, SubmitsMethodAptWithConfiguredNames) {
  HookConfig config;
  config.distribution = "MyDist";
  HookSubmission sent;
  Sender send = [&](const HookSubmission& s) {
    sent = s;
    return std::string("{}");
  };
  std::ostringstream out;
  std::string changes =
      "Format: 1.8\nSource: foo\nArchitecture: source any\nVersion: 1.0\nDistribution: sid\n";
  EXPECT_EQ(RunChanges(config, changes, send, out), ExitCode::kOk);
  EXPECT_EQ(sent.method, "apt");
  EXPECT_EQ(sent.uri, "apt");
  EXPECT_EQ(sent.distribution, "MyDist");
  EXPECT_EQ(sent.arch_list, "any");
  EXPECT_NE(out.str().find("submitted foo 1.0"), std::string::npos);
}

TEST(RunChanges, ControllerRefusalIsReportedWithItsMessage) {
  Sender send = [](const HookSubmission&) -> std::string {
    throw SubmitError("refused (HTTP 400): suite 'sid' is unknown");
  };
  std::ostringstream out;
  EXPECT_EQ(
      RunChanges({}, "Format: 1.8\nSource: foo\nVersion: 1.0\nDistribution: sid\n", send, out),
      ExitCode::kController);
  EXPECT_NE(out.str().find("suite 'sid' is unknown"), std::string::npos);
}

TEST(SubmittedUri, NamePlaceholderAndFallback) {
  HookConfig c;
  EXPECT_EQ(SubmittedUri(c, "/srv/git/foo.git", "/srv/git/foo.git"), "/srv/git/foo.git");
  c.uri = "https://git.example/{name}";
  EXPECT_EQ(SubmittedUri(c, "/srv/git/foo.git/", ""), "https://git.example/foo.git");
}

TEST(HookConfig, EnvironmentOverridesTheFile) {
  HookConfig c = LoadHookConfig("", {{"CBIT_URL", "http://ctl:9000"}, {"CBIT_USER", "hooks"}});
  EXPECT_EQ(c.urls, std::vector<std::string>{"http://ctl:9000"});
  EXPECT_EQ(c.user, "hooks");
  EXPECT_EQ(c.distribution, "Debian");
  EXPECT_EQ(LoadHookConfig("", {{"CBIT_TOKEN", "cbit_abc"}}).token, "cbit_abc");
  EXPECT_THROW(LoadHookConfig("", {{"CBIT_URL", "ctl:9000"}}), ConfigError);
  EXPECT_THROW(LoadHookConfig("/nonexistent/hook.json", {}), ConfigError);
  EXPECT_EQ(ChooseConfigPath("", {{"CBIT_HOOK_CONFIG", "/x.json"}}), "/x.json");
  EXPECT_EQ(ChooseConfigPath("/y.json", {{"CBIT_HOOK_CONFIG", "/x.json"}}), "/y.json");
}

TEST(HookConfig, SeveralControllerUrlsAreTriedInOrder) {
  EXPECT_EQ(LoadHookConfig("", {{"CBIT_URL", "http://a:1, http://b:2"}}).urls,
            (std::vector<std::string>{"http://a:1", "http://b:2"}));
  testing::TestDir dir;
  const std::string path = (dir.path() / "hook.json").string();
  std::ofstream(path) << R"({"url": ["http://a:1", "http://b:2/cbit"]})";
  EXPECT_EQ(LoadHookConfig(path, {}).urls,
            (std::vector<std::string>{"http://a:1", "http://b:2/cbit"}));
  for (const char* bad : {R"({"url": []})", R"({"url": [1]})", R"({"url": ["a:1"]})"}) {
    std::ofstream(path) << bad;
    EXPECT_THROW(LoadHookConfig(path, {}), ConfigError) << bad;
  }
}

}  // namespace
}  // namespace cbit::hooks
