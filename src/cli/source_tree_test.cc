#include "cli/source_tree.h"

#include <gtest/gtest.h>

#include <fstream>

#include "cli/exit_code.h"
#include "testing/test_dir.h"
#include "util/subprocess.h"

namespace cbit::cli {
namespace {

void Git(const std::vector<std::string>& args, const std::string& cwd) {
  std::vector<std::string> argv = {"git", "-c", "user.name=t", "-c", "user.email=t@e"};
  argv.insert(argv.end(), args.begin(), args.end());
  CommandResult r = RunCommand({.argv = argv, .cwd = cwd});
  ASSERT_TRUE(r.ok()) << r.output;
}

void WriteFile(const std::string& path, const std::string& text) { std::ofstream(path) << text; }

// A bare "server" repository and a clone of it holding a package, pushed.
class GitTree : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_NO_FATAL_FAILURE(Git({"init", "-q", "--bare", "-b", "main", server()}, ""));
    ASSERT_NO_FATAL_FAILURE(Git({"clone", "-q", server(), work()}, ""));
    std::filesystem::create_directories(work() + "/debian");
    WriteFile(work() + "/debian/changelog",
              "hello (1.2-1) chickpea; urgency=low\n\n  * x\n\n -- A <a@b>  Mon, 01 Jan 2024 "
              "00:00:00 +0000\n");
    WriteFile(work() + "/debian/control",
              "Source: hello\n\nPackage: hello\nArchitecture: any\n\nPackage: hello-doc\n"
              "Architecture: all\n");
    ASSERT_NO_FATAL_FAILURE(Git({"checkout", "-q", "-b", "main"}, work()));
    ASSERT_NO_FATAL_FAILURE(Git({"add", "."}, work()));
    ASSERT_NO_FATAL_FAILURE(Git({"commit", "-qm", "1.2-1"}, work()));
    ASSERT_NO_FATAL_FAILURE(Git({"push", "-q", "-u", "origin", "main"}, work()));
  }
  std::string server() const { return (tmp_.path() / "server.git").string(); }
  std::string work() const { return (tmp_.path() / "work").string(); }
  std::string Refusal() const {
    try {
      FromTree(work());
    } catch (const CliError& e) {
      EXPECT_EQ(e.code, ExitCode::kUsage);
      return e.what();
    }
    return "";
  }
  testing::TestDir tmp_;
};

TEST_F(GitTree, APushedTreeGivesItsPackageRemoteAndCommit) {
  hooks::HookSubmission s = FromTree(work());
  EXPECT_EQ(s.package, "hello");
  EXPECT_EQ(s.version, "1.2-1");
  EXPECT_EQ(s.suite, "chickpea");
  EXPECT_EQ(s.arch_list, "all,any");
  EXPECT_EQ(s.method, "git");
  EXPECT_EQ(s.uri, server());
  CommandResult head = RunCommand({.argv = {"git", "rev-parse", "HEAD"}, .cwd = work()});
  EXPECT_EQ(s.vcs_id + "\n", head.output);
}

TEST_F(GitTree, UncommittedChangesAreRefused) {
  WriteFile(work() + "/debian/control", "Source: hello\n\nPackage: hello\nArchitecture: all\n");
  EXPECT_NE(Refusal().find("not committed"), std::string::npos) << Refusal();
}

TEST_F(GitTree, UnpushedCommitsAreRefused) {
  WriteFile(work() + "/README", "x\n");
  ASSERT_NO_FATAL_FAILURE(Git({"add", "README"}, work()));
  ASSERT_NO_FATAL_FAILURE(Git({"commit", "-qm", "readme"}, work()));
  EXPECT_NE(Refusal().find("not pushed"), std::string::npos) << Refusal();
}

TEST_F(GitTree, ABranchWithoutUpstreamIsRefused) {
  ASSERT_NO_FATAL_FAILURE(Git({"checkout", "-q", "-b", "topic"}, work()));
  EXPECT_NE(Refusal().find("no upstream"), std::string::npos) << Refusal();
}

TEST(SourceFiles, NotACheckoutIsRefusedWithWhatToDo) {
  testing::TestDir tmp;
  try {
    FromTree(tmp.path().string());
    FAIL();
  } catch (const CliError& e) {
    EXPECT_NE(std::string(e.what()).find("neither a git nor an svn checkout"), std::string::npos);
  }
}

TEST(SourceFiles, ChangesAndDscFiles) {
  testing::TestDir tmp;
  std::string changes = (tmp.path() / "x.changes").string();
  WriteFile(changes,
            "Format: 1.8\nSource: hello\nVersion: 1:2.0-1\nDistribution: chickpea\n"
            "Architecture: source amd64 all\nFiles:\n 0123 1 devel optional hello_2.0-1.dsc\n");
  hooks::HookSubmission c = FromChanges(changes);
  EXPECT_EQ(c.package, "hello");
  EXPECT_EQ(c.version, "1:2.0-1");
  EXPECT_EQ(c.suite, "chickpea");
  EXPECT_EQ(c.method, "apt");
  EXPECT_EQ(c.arch_list, "all,amd64");
  std::string dsc = (tmp.path() / "x.dsc").string();
  WriteFile(dsc,
            "Format: 3.0 (native)\nSource: hello\nBinary: hello\nArchitecture: any all\n"
            "Version: 2.0\n");
  hooks::HookSubmission d = FromDsc(dsc);
  EXPECT_EQ(d.package, "hello");
  EXPECT_EQ(d.version, "2.0");
  EXPECT_EQ(d.arch_list, "all,any");
  EXPECT_EQ(d.suite, "");
  WriteFile(dsc, "nothing\n");
  EXPECT_THROW(FromDsc(dsc), CliError);
  EXPECT_THROW(FromChanges(dsc), CliError);
}

TEST(SourceFiles, RemotesAndArchitectureLists) {
  EXPECT_EQ(AbsoluteRemote("../server.git", "/a/work"), "/a/server.git");
  EXPECT_EQ(AbsoluteRemote("/srv/x.git", "/a/work"), "/srv/x.git");
  EXPECT_EQ(AbsoluteRemote("https://h/x.git", "/a/work"), "https://h/x.git");
  EXPECT_EQ(AbsoluteRemote("git@h:x.git", "/a/work"), "git@h:x.git");
  EXPECT_EQ(DscArchList("any all"), "all,any");
  EXPECT_EQ(DscArchList("amd64 i386"), "amd64,i386");
  EXPECT_EQ(DscArchList("all"), "all");
}

}  // namespace
}  // namespace cbit::cli
