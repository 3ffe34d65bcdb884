// The life cycle's table, every pair of statuses with every kind of
// reporter, against a listing written out by hand from docs/design.md.
#include "controller/transitions.h"

#include <gtest/gtest.h>

#include <set>
#include <utility>

namespace cbit::controller {
namespace {

const std::vector<std::string> kStatuses = {"Waiting",  "Blocked", "Building",  "Done",
                                            "Uploaded", "Failed",  "Cancelled", "Custom"};

// The transitions of docs/design.md's diagram, as the clients, the watcher
// and the job logic make them.
const std::set<std::pair<std::string, std::string>> kLifeCycle = {
    {"Waiting", "Building"},  {"Waiting", "Cancelled"},  {"Blocked", "Building"},
    {"Blocked", "Cancelled"}, {"Building", "Done"},      {"Building", "Failed"},
    {"Building", "Blocked"},  {"Building", "Cancelled"}, {"Building", "Waiting"},
    {"Done", "Uploaded"},     {"Done", "Failed"},
};

bool Listed(const std::string& from, const std::string& to) {
  // A status outside the life cycle counts as Waiting.
  const std::string& f = from == "Custom" || from.empty() ? std::string("Waiting") : from;
  return kLifeCycle.count({f, to}) > 0;
}

TEST(Transitions, AllowedIsExactlyTheLifeCycle) {
  for (const auto& from : kStatuses)
    for (const auto& to : kStatuses)
      EXPECT_EQ(Allowed(from, to), Listed(from, to)) << from << " -> " << to;
  EXPECT_TRUE(Allowed("", "Building"));
  EXPECT_FALSE(Allowed("", "Done"));
}

TEST(Transitions, UploadedFailedAndCancelledAreTerminal) {
  for (const auto& from : kStatuses) {
    bool leads_anywhere = false;
    for (const auto& to : kStatuses) leads_anywhere |= Allowed(from, to);
    EXPECT_EQ(IsTerminal(from), !leads_anywhere) << from;
  }
}

// Every (current status, holder, reported status, reporter) against the
// rules of DecideReport, written out independently.
TEST(Transitions, DecideReportOverEveryCase) {
  const std::vector<std::optional<std::string>> holders = {std::nullopt, "a"};
  const std::vector<std::optional<std::string>> reporters = {std::nullopt, "a", "b"};
  for (const auto& from : kStatuses) {
    for (const auto& to : kStatuses) {
      for (const auto& holder : holders) {
        for (const auto& who : reporters) {
          StatusReport r{to, who, std::nullopt, std::nullopt};
          Decision d = DecideReport(7, {from, holder}, r);
          bool other = who && holder && *who != *holder;
          Verdict want;
          if (from == to) {
            if (other) {
              want = Verdict::kWrongHolder;
            } else if (to == "Building" && who) {
              want = Verdict::kApply;  // the holder starts afresh
            } else {
              want = Verdict::kRepeat;
            }
          } else if (!Listed(from, to)) {
            want = Verdict::kWrongStatus;
          } else if (other && !(to == "Building" && (from != "Building"))) {
            want = Verdict::kWrongHolder;
          } else if (who && to != "Building" &&
                     (from == "Waiting" || from == "Blocked" || from == "Custom")) {
            // A client names itself only on a job it builds: on a Waiting
            // or Blocked one it lost its lease (or never held it).
            want = Verdict::kWrongStatus;
          } else {
            want = Verdict::kApply;
          }
          EXPECT_EQ(d.verdict, want) << from << " -> " << to << " holder " << holder.value_or("-")
                                     << " by " << who.value_or("-");
        }
      }
    }
  }
}

TEST(Transitions, RefusalsNameTheStatusesOrTheHolder) {
  Decision d = DecideReport(7, {"Cancelled", "a"}, {"Uploaded", std::nullopt, {}, {}});
  EXPECT_EQ(d.verdict, Verdict::kWrongStatus);
  EXPECT_NE(d.reason.find("job 7 is Cancelled: it cannot become Uploaded"), std::string::npos)
      << d.reason;
  d = DecideReport(7, {"Building", "build_client_a"}, {"Done", "build_client_b", {}, {}});
  EXPECT_EQ(d.verdict, Verdict::kWrongHolder);
  EXPECT_EQ(d.reason, "job 7 is held by build_client_a: a report from build_client_b is refused");
}

TEST(Transitions, ATakeoverMustNameTheCurrentHolder) {
  StatusReport r{"Building", "b", std::nullopt, "a"};
  EXPECT_EQ(DecideReport(7, {"Building", "a"}, r).verdict, Verdict::kApply);
  // A third client took it over first: the second takeover is refused.
  Decision d = DecideReport(7, {"Building", "c"}, r);
  EXPECT_EQ(d.verdict, Verdict::kWrongHolder);
  EXPECT_NE(d.reason.find("held by c, not a"), std::string::npos) << d.reason;
  // A takeover is no way out of a finished status.
  EXPECT_EQ(DecideReport(7, {"Done", "a"}, r).verdict, Verdict::kWrongStatus);
}

TEST(Transitions, TheBoundCallerIsWhoReports) {
  // A caller bound to "b" reports for "a": it is b's report.
  StatusReport r{"Done", "a", "b", std::nullopt};
  EXPECT_EQ(DecideReport(7, {"Building", "a"}, r).verdict, Verdict::kWrongHolder);
  r.caller = "a";
  EXPECT_EQ(DecideReport(7, {"Building", "a"}, r).verdict, Verdict::kApply);
}

StatusReport Said(const std::string& status, std::optional<std::string> client = std::nullopt) {
  return {status, std::move(client), std::nullopt, std::nullopt};
}

constexpr std::int64_t kSecond = 1000000;
constexpr LeasePolicy kPolicy{.lease_us = 300 * kSecond, .max_attempts = 3};

TEST(Transitions, ALeaseExpiresOnlyOnABuildingJobSilentLongerThanTheLease) {
  const std::int64_t heard = 1000 * kSecond;
  LeaseHold hold{"Building", "build_client_a", heard, 1};
  EXPECT_FALSE(DecideExpiry(hold, heard + 300 * kSecond, kPolicy).to);
  ExpiryDecision d = DecideExpiry(hold, heard + 300 * kSecond + 1, kPolicy);
  ASSERT_TRUE(d.to);
  EXPECT_EQ(*d.to, "Waiting");
  EXPECT_EQ(d.reason.rfind("lease expired: client build_client_a not heard from since 1970-01-01 "
                           "00:16:40.000000",
                           0),
            0u)
      << d.reason;
  EXPECT_NE(d.reason.find("attempt 1 of 3"), std::string::npos) << d.reason;
  for (const char* other : {"Waiting", "Blocked", "Done", "Uploaded", "Failed", "Cancelled"}) {
    LeaseHold h{other, "build_client_a", heard, 1};
    EXPECT_FALSE(DecideExpiry(h, heard + 1000 * kSecond, kPolicy).to) << other;
  }
}

TEST(Transitions, TheLastAttemptsExpiryFailsTheJob) {
  LeaseHold hold{"Building", "build_client_a", 0, 2};
  EXPECT_EQ(DecideExpiry(hold, 301 * kSecond, kPolicy).to, "Waiting");
  hold.attempts = 3;
  ExpiryDecision d = DecideExpiry(hold, 301 * kSecond, kPolicy);
  EXPECT_EQ(d.to, "Failed");
  EXPECT_NE(d.reason.find("attempt 3 of 3"), std::string::npos) << d.reason;
  EXPECT_EQ(DecideExpiry(hold, 301 * kSecond, {.lease_us = kPolicy.lease_us, .max_attempts = 1}).to,
            "Failed");
}

TEST(Transitions, OnlyTheBuildingHolderRenewsItsLease) {
  EXPECT_EQ(DecideRenewal(7, {"Building", "a"}, "a").verdict, Verdict::kApply);
  Decision other = DecideRenewal(7, {"Building", "a"}, "b");
  EXPECT_EQ(other.verdict, Verdict::kWrongHolder);
  EXPECT_NE(other.reason.find("held by a"), std::string::npos) << other.reason;
  for (const char* s : {"Waiting", "Blocked", "Done", "Failed", "Cancelled", "Uploaded"}) {
    Decision lost = DecideRenewal(7, {s, "a"}, "a");
    EXPECT_TRUE(lost.refused()) << s;
    EXPECT_NE(lost.reason.find("lost its lease"), std::string::npos) << lost.reason;
  }
}

TEST(Transitions, AClientThatLostItsLeaseCannotReportOnTheJob) {
  // Expired: Waiting again, still naming its last holder.
  for (const char* s : {"Done", "Failed", "Cancelled", "Blocked", "Waiting"}) {
    Decision d = DecideReport(7, {"Waiting", "a"}, Said(s, "a"));
    if (std::string(s) == "Waiting") {
      EXPECT_EQ(d.verdict, Verdict::kRepeat);
    } else {
      EXPECT_TRUE(d.refused()) << s;
    }
  }
  // Claimed again by another client meanwhile.
  EXPECT_EQ(DecideReport(7, {"Building", "b"}, Said("Done", "a")).verdict, Verdict::kWrongHolder);
  // A claim is still a claim; an anonymous cancel of a Waiting job too.
  EXPECT_EQ(DecideReport(7, {"Waiting", "a"}, Said("Building", "a")).verdict, Verdict::kApply);
  EXPECT_EQ(DecideReport(7, {"Waiting", "a"}, Said("Cancelled")).verdict, Verdict::kApply);
}

}  // namespace
}  // namespace cbit::controller
