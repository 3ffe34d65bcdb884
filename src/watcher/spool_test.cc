// The report spool, and the Reporter sending what an earlier run left in it.
#include "watcher/spool.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "testing/test_dir.h"
#include "watcher/fake_watcher.h"
#include "watcher/reporter.h"

namespace cbit::watcher {
namespace {

namespace fs = std::filesystem;

UploadOutcome Outcome() {
  return {"hello_1.0_amd64.changes", "hello", "1.0", "amd64", true, "reprepro says hi\n"};
}

std::vector<std::string> FilesIn(const fs::path& dir) {
  std::vector<std::string> out;
  for (const auto& e : fs::directory_iterator(dir))
    if (e.is_regular_file()) out.push_back(e.path().filename().string());
  return out;
}

TEST(Spool, EncodesAndDecodesAReport) {
  SpooledReport r{Outcome(), 7, LogEnd{2, 120}};
  auto back = DecodeReport(EncodeReport(r));
  ASSERT_TRUE(back);
  EXPECT_EQ(back->outcome.changes, "hello_1.0_amd64.changes");
  EXPECT_EQ(back->outcome.log, "reprepro says hi\n");
  EXPECT_TRUE(back->outcome.published);
  EXPECT_EQ(back->job, 7);
  EXPECT_EQ(back->log_end->length, 120);
  EXPECT_FALSE(DecodeReport(EncodeReport({Outcome(), std::nullopt, std::nullopt}))->job);
}

TEST(Spool, RefusesWhatIsNotAReport) {
  EXPECT_FALSE(DecodeReport(""));
  EXPECT_FALSE(DecodeReport("[]"));
  EXPECT_FALSE(DecodeReport(R"({"changes": "x"})"));
  UploadOutcome bad = Outcome();
  bad.source = "hello&status=Uploaded";
  EXPECT_FALSE(DecodeReport(EncodeReport({bad, std::nullopt, std::nullopt})));
  EXPECT_FALSE(DecodeReport(EncodeReport({Outcome(), -3, std::nullopt})));
}

TEST(Spool, KeepsAReportUntilTheControllerHasIt) {
  testing::TestDir tmp;
  Spool spool((tmp.path() / "spool").string());
  FakeControllerApi api;
  api.jobs[FakeControllerApi::Key("hello", "1.0", "amd64", "Done")] = {7};
  api.fail_with = 0;  // unreachable
  {
    Reporter r(api, {}, &spool);
    r.Add(Outcome(), {});
    r.Flush({});
    EXPECT_EQ(r.pending(), 1u);
  }  // the watcher dies
  ASSERT_EQ(FilesIn(spool.dir()).size(), 1u);

  api.fail_with.reset();
  Reporter again(api, {}, &spool);
  again.Resume({});
  again.Flush({});
  EXPECT_EQ(again.pending(), 0u);
  EXPECT_EQ(api.calls.back(), "Status 7 Uploaded");
  EXPECT_EQ(api.appended[7], "reprepro says hi\n");
  EXPECT_TRUE(FilesIn(spool.dir()).empty());
}

TEST(Spool, AResentReportAppendsWhereItsFirstTryDid) {
  testing::TestDir tmp;
  Spool spool((tmp.path() / "spool").string());
  // An earlier run found job 7 with a log of 100 bytes, appended its text
  // and died before the status report.
  spool.Add({Outcome(), 7, LogEnd{1, 100}});
  FakeControllerApi api;
  api.log_ends[7] = {1, 117};
  Reporter r(api, {}, &spool);
  r.Resume({});
  r.Flush({});
  EXPECT_EQ(api.calls, (std::vector<std::string>{"Append 7 1 100", "Status 7 Uploaded"}));
  EXPECT_TRUE(FilesIn(spool.dir()).empty());
}

TEST(Spool, RecordsTheJobAndLogEndBeforeAppending) {
  testing::TestDir tmp;
  Spool spool((tmp.path() / "spool").string());
  FakeControllerApi api;
  api.jobs[FakeControllerApi::Key("hello", "1.0", "amd64", "Done")] = {7};
  api.log_ends[7] = {1, 100};
  Reporter r(api, {}, &spool);
  r.Add(Outcome(), {});
  // What the file says when the append is sent: checked through the spool
  // as a restarted watcher would read it.
  std::optional<SpooledReport> seen;
  api.on_append = [&] { seen = spool.Load().at(0).report; };
  r.Flush({});
  ASSERT_TRUE(seen);
  EXPECT_EQ(seen->job, 7);
  EXPECT_EQ(seen->log_end->length, 100);
}

TEST(Spool, MovesACorruptFileAsideAndKeepsGoing) {
  testing::TestDir tmp;
  Spool spool((tmp.path() / "spool").string());
  std::ofstream(tmp.path() / "spool/00000000000000000001-000000-1.report.json") << "{not json";
  std::ofstream(tmp.path() / "spool/.tmp-half-written.report.json") << "{\"chan";
  spool.Add({Outcome(), std::nullopt, std::nullopt});
  auto entries = spool.Load();
  ASSERT_EQ(entries.size(), 1u);
  EXPECT_EQ(entries[0].report.outcome.source, "hello");
  EXPECT_EQ(FilesIn(tmp.path() / "spool/corrupt"),
            (std::vector<std::string>{"00000000000000000001-000000-1.report.json"}));
  EXPECT_EQ(FilesIn(spool.dir()).size(), 1u);
}

}  // namespace
}  // namespace cbit::watcher
