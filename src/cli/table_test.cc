#include "cli/table.h"

#include <gtest/gtest.h>

#include "cli/job_view.h"

namespace cbit::cli {
namespace {

TEST(Table, ColumnsArePaddedToTheWidestCellIgnoringColourEscapes) {
  Style colour{true, true};
  std::string t = RenderTable({"ID", "STATUS", "X"},
                              {{"1", ColourStatus("Done", colour), "a"}, {"10", "Waiting", "b"}},
                              {false, false});
  EXPECT_EQ(t,
            "ID  STATUS   X\n"
            "1   \033[32mDone\033[0m     a\n"
            "10  Waiting  b\n");
}

TEST(Table, PlainOutputHasNoEscapesAndAbsoluteTimes) {
  Style plain{false, false};
  EXPECT_EQ(ColourStatus("Failed", plain), "Failed");
  EXPECT_EQ(ShowTime("2027-01-15 08:00:00.000000", 0, plain), "2027-01-15 08:00:00.000000");
  Style tty{true, false};
  auto t = ParseApiTime("2027-01-15 08:00:00.000000");
  ASSERT_TRUE(t);
  EXPECT_EQ(ShowTime("2027-01-15 08:00:00.000000", *t + 125, tty), "2m ago");
  EXPECT_EQ(RenderTable({"A"}, {}, plain).find('\033'), std::string::npos);
}

TEST(Table, RelativeTimes) {
  EXPECT_EQ(RelativeTime(100, 100), "0s ago");
  EXPECT_EQ(RelativeTime(159, 100), "59s ago");
  EXPECT_EQ(RelativeTime(100 + 3599, 100), "59m ago");
  EXPECT_EQ(RelativeTime(100 + 7200, 100), "2h ago");
  EXPECT_EQ(RelativeTime(100 + 3 * 86400, 100), "3d ago");
  EXPECT_EQ(RelativeTime(50, 100), "0s ago");  // a clock behind the controller's
  EXPECT_EQ(ParseApiTime("1970-01-01 00:01:00"), 60);
  EXPECT_FALSE(ParseApiTime("yesterday"));
  EXPECT_FALSE(ParseApiTime("1970-01-01T00:01:00"));
}

TEST(JobView, ARowFromPybitsJobShapeAndItsHistory) {
  auto job = nlohmann::json::parse(R"({"py/object": "pybit.models.Job", "id": 7,
    "packageinstance": {"id": 1,
      "package": {"id": 1, "version": "1.0-1", "name": "hello"},
      "arch": {"id": 2, "name": "amd64"}, "build_env": null,
      "suite": {"id": 1, "name": "bookworm"}, "distribution": {"id": 1, "name": "Debian"},
      "format": {"id": 1, "name": "deb"}, "master": true},
    "buildclient": null})");
  JobRow r = JobRowOf(job);
  EXPECT_EQ(r.id, 7);
  EXPECT_EQ(r.package, "hello");
  EXPECT_EQ(r.version, "1.0-1");
  EXPECT_EQ(r.arch, "amd64");
  EXPECT_EQ(r.suite, "bookworm");
  EXPECT_EQ(r.client, "");
  ApplyHistory(r, nlohmann::json::parse(R"([
    {"job_id": 7, "status": "Waiting", "buildclient": null, "time": "2027-01-15 08:00:00.000000"},
    {"job_id": 7, "status": "Building", "buildclient": "bc1", "time": "2027-01-15 08:00:05.000000"}])"));
  EXPECT_EQ(r.status, "Building");
  EXPECT_EQ(r.client, "bc1");
  EXPECT_EQ(
      JobTable({r}, true, 0, {false, false}),
      "ID  PACKAGE  VERSION  ARCH   SUITE     STATUS    CLIENT  UPDATED\n"
      "7   hello    1.0-1    amd64  bookworm  Building  bc1     2027-01-15 08:00:05.000000\n");
  EXPECT_THROW(JobRowOf(nlohmann::json::parse(R"({"name": "x"})")), std::exception);
}

}  // namespace
}  // namespace cbit::cli
