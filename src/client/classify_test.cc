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

}  // namespace cbit::client
