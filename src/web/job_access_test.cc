#include "web/job_access.h"

#include <gtest/gtest.h>

#include "web/router.h"

namespace cbit::web {
namespace {

Job JobIn(const std::string& status, const std::optional<std::string>& client = std::nullopt) {
  Job j;
  j.id = 7;
  j.status = status;
  j.instance.dist.name = "Debian";
  j.instance.arch.name = "i386";
  j.instance.suite.name = "chickpea";
  j.instance.format.name = "deb";
  if (client) j.buildclient = Lookup{1, *client};
  return j;
}

const Principal kBuilder{"tok", Role::kBuilder, "build_client_a", {}};
const Principal kWatcher{"w", Role::kWatcher, {}, {}};
const Principal kAdmin{"admin", Role::kAdmin, {}, {}};

// The status of the HttpError `fn` throws; 0 when it throws none.
template <typename F>
int Refusal(F&& fn) {
  try {
    fn();
  } catch (const HttpError& e) {
    return e.status;
  }
  return 0;
}

TEST(JobAccess, ABuilderClaimsWaitingOrBlockedJobsUnderItsOwnName) {
  EXPECT_EQ(CheckReport(kBuilder, JobIn("Waiting"), "Building", "build_client_a"),
            "build_client_a");
  EXPECT_EQ(CheckReport(kBuilder, JobIn("Blocked"), "Building", std::nullopt), "build_client_a");
  // Its own Building job again (a restarted client).
  EXPECT_EQ(CheckReport(kBuilder, JobIn("Building", "build_client_a"), "Building", std::nullopt),
            "build_client_a");
  EXPECT_EQ(Refusal([] { CheckReport(kBuilder, JobIn("Waiting"), "Building", "build_client_b"); }),
            403);
  EXPECT_EQ(Refusal([] {
              CheckReport(kBuilder, JobIn("Building", "build_client_b"), "Building", std::nullopt);
            }),
            409);
  EXPECT_EQ(Refusal([] { CheckReport(kBuilder, JobIn("Cancelled"), "Building", std::nullopt); }),
            409);
}

TEST(JobAccess, ABuilderTakesOverAJobOnlyByNamingItsHolder) {
  const Job held = JobIn("Building", "build_client_b");
  EXPECT_EQ(CheckReport(kBuilder, held, "Building", std::nullopt, "build_client_b"),
            "build_client_a");
  EXPECT_EQ(
      Refusal([&] { CheckReport(kBuilder, held, "Building", std::nullopt, "build_client_c"); }),
      409);
}

TEST(JobAccess, ABuilderReportsOnlyOnJobsItHolds) {
  EXPECT_EQ(CheckReport(kBuilder, JobIn("Building", "build_client_a"), "Done", std::nullopt),
            "build_client_a");
  EXPECT_EQ(Refusal([] {
              CheckReport(kBuilder, JobIn("Building", "build_client_b"), "Done", std::nullopt);
            }),
            409);
  EXPECT_EQ(Refusal([] { CheckReport(kBuilder, JobIn("Waiting"), "Failed", std::nullopt); }), 403);
  EXPECT_EQ(Refusal([] {
              CheckReport(kBuilder, JobIn("Done", "build_client_a"), "Uploaded", std::nullopt);
            }),
            403);
}

TEST(JobAccess, ABuilderBoundToQueuesClaimsOnlyFromThem) {
  Principal b = kBuilder;
  b.queues = {"Debian_armel_chickpea_deb"};
  EXPECT_EQ(Refusal([&] { CheckReport(b, JobIn("Waiting"), "Building", std::nullopt); }), 403);
  b.queues.push_back("Debian_i386_chickpea_deb");
  EXPECT_EQ(Refusal([&] { CheckReport(b, JobIn("Waiting"), "Building", std::nullopt); }), 0);
}

TEST(JobAccess, AWatcherTurnsDoneJobsUploadedOrFailed) {
  EXPECT_EQ(CheckReport(kWatcher, JobIn("Done", "c"), "Uploaded", std::nullopt), std::nullopt);
  EXPECT_EQ(CheckReport(kWatcher, JobIn("Done", "c"), "Failed", std::nullopt), std::nullopt);
  EXPECT_EQ(Refusal([] { CheckReport(kWatcher, JobIn("Waiting"), "Building", std::nullopt); }),
            403);
  EXPECT_EQ(Refusal([] { CheckReport(kWatcher, JobIn("Building", "c"), "Failed", std::nullopt); }),
            409);
  EXPECT_EQ(Refusal([] { CheckReport(kWatcher, JobIn("Done", "c"), "Uploaded", "c"); }), 403);
}

TEST(JobAccess, Logs) {
  EXPECT_EQ(Refusal([] { CheckLogAppend(kBuilder, JobIn("Building", "build_client_a")); }), 0);
  EXPECT_EQ(Refusal([] { CheckLogAppend(kBuilder, JobIn("Building", "build_client_b")); }), 409);
  EXPECT_EQ(Refusal([] { CheckLogAppend(kWatcher, JobIn("Done", "c")); }), 0);
  EXPECT_EQ(Refusal([] { CheckLogAppend(kWatcher, JobIn("Building", "c")); }), 409);
  EXPECT_EQ(Refusal([] { CheckLogAppend({"s", Role::kSubmitter, {}, {}}, JobIn("Done")); }), 403);
  EXPECT_EQ(Refusal([] { CheckLogAppend(kAdmin, JobIn("Done")); }), 0);
}

}  // namespace
}  // namespace cbit::web
