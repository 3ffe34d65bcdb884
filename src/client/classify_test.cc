#include "client/classify.h"

#include <gtest/gtest.h>

namespace cbit::client {
namespace {

CommandResult Finished(int code, std::string output, bool cancelled = false) {
  CommandResult r;
  r.exit_code = code;
  r.output = std::move(output);
  r.cancelled = cancelled;
  return r;
}

// The tail of sbuild 0.85's summaries, as printed here for each case.
constexpr const char* kDepWait =
    "E: Package build dependencies not satisfied; skipping\n"
    "+------+\n| Summary |\n+------+\n\nBuild Architecture: amd64\nFail-Stage: install-deps\n"
    "Status: given-back\nVersion: 1.0\n";
constexpr const char* kBuildFailure =
    "make: *** [debian/rules:3: binary] Error 2\n"
    "Fail-Stage: build\nStatus: attempted\nVersion: 1.0\n";
constexpr const char* kChrootFailure =
    "E: Error creating chroot session: skipping hello-cbit\nFail-Stage: create-session\n"
    "Status: failed\n";

}  // namespace

TEST(Classify, Sbuild) {
  EXPECT_EQ(ClassifySbuild(Finished(0, "Status: x\nStatus: successful\n")), Outcome::kBuilt);
  EXPECT_EQ(ClassifySbuild(Finished(3, kDepWait)), Outcome::kDependencyWait);
  EXPECT_EQ(ClassifySbuild(Finished(2, kBuildFailure)), Outcome::kBuildFailed);
  EXPECT_EQ(ClassifySbuild(Finished(1, kChrootFailure)), Outcome::kInfrastructureFailed);
  EXPECT_EQ(ClassifySbuild(Finished(3, "\nFail-Stage: install-deps\nStatus: given-back\n")),
            Outcome::kInfrastructureFailed);
  EXPECT_EQ(ClassifySbuild(Finished(127, "cannot execute: sbuild\n")),
            Outcome::kInfrastructureFailed);
  EXPECT_EQ(ClassifySbuild(Finished(130, kBuildFailure, true)), Outcome::kCancelled);
}

TEST(Classify, DpkgBuildpackage) {
  EXPECT_EQ(ClassifyDpkgBuildpackage(Finished(0, "")), Outcome::kBuilt);
  EXPECT_EQ(ClassifyDpkgBuildpackage(
                Finished(3, "dpkg-checkbuilddeps: error: Unmet build dependencies: foo\n")),
            Outcome::kDependencyWait);
  EXPECT_EQ(ClassifyDpkgBuildpackage(Finished(2, "hello.c:1: error: expected ';'\n")),
            Outcome::kBuildFailed);
  EXPECT_EQ(ClassifyDpkgBuildpackage(Finished(127, "")), Outcome::kInfrastructureFailed);
  EXPECT_EQ(ClassifyDpkgBuildpackage(Finished(130, "", true)), Outcome::kCancelled);
}

TEST(Outcome, NamesAndStatuses) {
  EXPECT_EQ(OutcomeName(Outcome::kDependencyWait), "dependency-wait");
  EXPECT_STREQ(JobStatusFor(Outcome::kDependencyWait), "Blocked");
  EXPECT_STREQ(JobStatusFor(Outcome::kBuildFailed), "Failed");
  EXPECT_STREQ(JobStatusFor(Outcome::kCancelled), "Cancelled");
  EXPECT_EQ(static_cast<int>(Outcome::kInfrastructureFailed), 3);
}

TEST(Classify, NetworkErrorsOfTheFetchTools) {
  // As git 2.39, svn 1.14 and apt 2.6 print them.
  EXPECT_TRUE(SaysNetworkError(
      "fatal: unable to access 'http://127.0.0.1:9/x.git/': Failed to connect to 127.0.0.1 port "
      "9 after 0 ms: Couldn't connect to server\n"));
  EXPECT_TRUE(
      SaysNetworkError("ssh: Could not resolve hostname git.example: Name or service not known\n"
                       "fatal: Could not read from remote repository.\n"));
  EXPECT_TRUE(SaysNetworkError("fatal: the remote end hung up unexpectedly\n"));
  EXPECT_TRUE(SaysNetworkError(
      "svn: E170013: Unable to connect to a repository at URL 'http://svn.example/x'\n"));
  EXPECT_TRUE(
      SaysNetworkError("Err:1 http://deb.example bookworm InRelease\n  Temporary "
                       "failure resolving 'deb.example'\n"));
  // The source is there but wrong: retrying would not help.
  EXPECT_FALSE(SaysNetworkError("fatal: repository '/srv/git/x.git' does not exist\n"));
  EXPECT_FALSE(SaysNetworkError("fatal: reference is not a tree: abc123\n"));
}

TEST(Classify, ChrootMissing) {
  EXPECT_TRUE(
      SaysChrootMissing("E: Chroot for distribution bookworm, architecture amd64 not "
                        "found\n"));
  EXPECT_TRUE(SaysChrootMissing("Chroot /srv/chroots/bookworm-amd64.tar does not exist\n"));
  EXPECT_FALSE(SaysChrootMissing(kBuildFailure));
}

TEST(Classify, ChrootSessionFailed) {
  EXPECT_TRUE(SaysChrootSessionFailed(kChrootFailure));
  // sbuild 0.85 when tar stopped reading the chroot tarball it unpacks.
  EXPECT_TRUE(SaysChrootSessionFailed(
      "Unpacking /srv/chroots/bookworm-amd64.tar to /tmp/tmp.sbuild.1DUWLUe8qr...\n"
      "E: ABORT: Received PIPE signal (requesting cleanup and shutdown)\n"
      "copy() failed: Broken pipe\nE: Error creating chroot session: skipping hello\n"
      "Fail-Stage: create-session\nStatus: failed\n"));
  EXPECT_FALSE(SaysChrootSessionFailed(kBuildFailure));
  EXPECT_FALSE(SaysChrootSessionFailed(kDepWait));
  // Only the summary's field counts, not the words in a build's log.
  EXPECT_FALSE(SaysChrootSessionFailed("echo Fail-Stage: create-session\nFail-Stage: build\n"));
}

TEST(Classify, MachineFailuresComeBeforeEachToolsOwnRules) {
  StepDeadline deadline(std::chrono::seconds(3), "build");
  CommandResult timed_out = Finished(143, "");
  timed_out.timed_out = true;
  auto t = MachineFailure(timed_out, "dpkg-buildpackage", deadline);
  ASSERT_TRUE(t);
  EXPECT_EQ(t->failure, FailureClass::kTimeout);
  EXPECT_EQ(t->outcome, Outcome::kInfrastructureFailed);
  EXPECT_EQ(t->detail, "dpkg-buildpackage timed out: the build step's limit of 3 s ran out");
  auto full = MachineFailure(Finished(2, "cc1: fatal error: No space left on device\n"), "sbuild",
                             deadline);
  ASSERT_TRUE(full);
  EXPECT_EQ(full->failure, FailureClass::kDiskFull);
  auto cancelled = MachineFailure(Finished(130, "", true), "git", deadline);
  ASSERT_TRUE(cancelled);
  EXPECT_EQ(cancelled->outcome, Outcome::kCancelled);
  EXPECT_FALSE(MachineFailure(Finished(2, kBuildFailure), "sbuild", deadline));
  EXPECT_FALSE(MachineFailure(Finished(0, ""), "sbuild", deadline));
}

TEST(Outcome, FailureClassesAndWhichAreRetried) {
  EXPECT_EQ(FailureClassName(FailureClass::kTimeout), "timeout");
  EXPECT_EQ(FailureClassName(FailureClass::kChrootMissing), "chroot-missing");
  EXPECT_EQ(FailureClassName(FailureClass::kToolchainMissing), "toolchain-missing");
  EXPECT_EQ(FailureClassName(FailureClass::kChrootFailed), "chroot-failed");
  EXPECT_EQ(ClassOf({Outcome::kBuildFailed, "x"}), FailureClass::kBuild);
  EXPECT_EQ(ClassOf({Outcome::kInfrastructureFailed, "x", FailureClass::kUpload}),
            FailureClass::kUpload);
  EXPECT_TRUE(Retryable(FailureClass::kNetwork));
  EXPECT_TRUE(Retryable(FailureClass::kUpload));
  // Another client of the cross queue may have the toolchain.
  EXPECT_TRUE(Retryable(FailureClass::kToolchainMissing));
  // The chroot was there but its session did not start: nothing of the
  // package ran, so another try is safe.
  EXPECT_TRUE(Retryable(FailureClass::kChrootFailed));
  EXPECT_FALSE(Retryable(FailureClass::kTimeout));
  EXPECT_FALSE(Retryable(FailureClass::kBuild));
  EXPECT_FALSE(Retryable(FailureClass::kInfrastructure));
}

}  // namespace cbit::client
