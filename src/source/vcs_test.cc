#include "hooks/vcs.h"

#include <gtest/gtest.h>

#include <sstream>

#include "hooks/hook.h"

namespace cbit::hooks {
namespace {

const std::string kA(40, 'a'), kB(40, 'b'), kZero(40, '0');

TEST(RefUpdates, ParsesLinesAndFlags) {
  auto u = ParseRefUpdates(kA + " " + kB + " refs/heads/main\n" + kZero + " " + kB +
                           " refs/heads/new\r\n" + kA + " " + kZero + " refs/heads/gone\n\n");
  ASSERT_EQ(u.size(), 3u);
  EXPECT_EQ(u[0].ref, "refs/heads/main");
  EXPECT_FALSE(u[0].created());
  EXPECT_TRUE(u[1].created());
  EXPECT_EQ(u[1].ref, "refs/heads/new");
  EXPECT_TRUE(u[2].deleted());
}

TEST(RefUpdates, MalformedLinesAreRefused) {
  EXPECT_THROW(ParseRefUpdates("abc def refs/heads/x\n"), VcsError);
  EXPECT_THROW(ParseRefUpdates(kA + " " + kB + "\n"), VcsError);
  EXPECT_THROW(ParseRefUpdates("--upload-pack=x " + kB + " refs/heads/x\n"), VcsError);
}

TEST(ChangelogDirs, RootAndSubdirectoriesOnce) {
  EXPECT_EQ(ChangelogDirs({"debian/changelog", "README", "pkgs/foo/debian/changelog",
                           "pkgs/foo/debian/control", "foo-debian/changelog",
                           "debian/changelog.old", "pkgs/foo/debian/changelog"}),
            (std::vector<std::string>{"", "pkgs/foo"}));
}

TEST(Svnlook, ChangedPathsWithoutDeletions) {
  EXPECT_EQ(ParseSvnlookChanged("U   trunk/debian/changelog\n_U  trunk/\nD   old/debian/changelog\n"
                                "A   branches/x y/debian/changelog\n"),
            (std::vector<std::string>{"trunk/debian/changelog", "trunk/",
                                      "branches/x y/debian/changelog"}));
}

TEST(ReadPackage, ProblemsNameTheDirectoryAndFile) {
  auto f = ReadPackage("pkg", [](const std::string& path) -> std::string {
    if (path == "pkg/debian/changelog") return "pkg (1.0) sid; urgency=low\n";
    return "Source: pkg\n";
  });
  EXPECT_FALSE(f.meta);
  EXPECT_NE(f.problem.find("pkg/debian/control"), std::string::npos) << f.problem;
}

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
  EXPECT_EQ(c.url, "http://ctl:9000");
  EXPECT_EQ(c.user, "hooks");
  EXPECT_EQ(c.distribution, "Debian");
  EXPECT_THROW(LoadHookConfig("", {{"CBIT_URL", "ctl:9000"}}), ConfigError);
  EXPECT_THROW(LoadHookConfig("/nonexistent/hook.json", {}), ConfigError);
  EXPECT_EQ(ChooseConfigPath("", {{"CBIT_HOOK_CONFIG", "/x.json"}}), "/x.json");
  EXPECT_EQ(ChooseConfigPath("/y.json", {{"CBIT_HOOK_CONFIG", "/x.json"}}), "/y.json");
}

}  // namespace
}  // namespace cbit::hooks
