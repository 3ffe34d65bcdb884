// The watcher's decisions for one processincoming run, against a fake
// reprepro (FakeRunner) and a fake controller: what is queried, run, moved
// aside and reported.
#include "watcher/watcher.h"

#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <stdexcept>

#include "testing/test_dir.h"
#include "util/test_fds.h"
#include "watcher/fake_watcher.h"

namespace cbit::watcher {
namespace {

namespace fs = std::filesystem;

constexpr const char* kChanges = R"(Format: 1.8
Source: hello
Binary: hello
Architecture: source amd64
Version: 1.0
Distribution: chickpea
Files:
 0a 10 misc optional hello_1.0.dsc
 0b 20 misc optional hello_1.0.tar.xz
 0c 30 misc optional hello_1.0_amd64.deb
)";

class WatcherTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = tmp_.path();
    fs::create_directories(dir_ / "incoming");
    fs::create_directories(dir_ / "repo/conf");
    Write("repo/conf/incoming", "Name: cbit\nAllow: chickpea>bookworm\n");
    Write("repo/conf/distributions", "Codename: bookworm\n");
    config_.rules = {{(dir_ / "incoming").string(), (dir_ / "repo").string(), "cbit"}};
    api_.jobs[FakeControllerApi::Key("hello", "1.0", "amd64", "Done")] = {4};
  }
  void Write(const std::string& rel, const std::string& text) { std::ofstream(dir_ / rel) << text; }
  void Upload() {
    Write("incoming/hello_1.0_amd64.changes", kChanges);
    for (const char* f : {"hello_1.0.dsc", "hello_1.0.tar.xz", "hello_1.0_amd64.deb"})
      Write(std::string("incoming/") + f, "x");
  }
  // A reprepro that publishes the upload (or, with `refuse`, leaves it with
  // an error) and answers listfilter from its "repository".
  void FakeReprepro(bool already_there, bool refuse) {
    published_ = already_there;
    runner_.respond = [this, refuse](const Command& c) {
      CommandResult r;
      r.exit_code = 0;
      if (c.argv.at(3) == "processincoming") {
        if (refuse) {
          r.exit_code = 254;
          r.output =
              "File \"pool/main/h/hello/hello_1.0.dsc\" is already registered with "
              "different checksums!\n";
        } else if (published_) {
          r.output = "Skipping hello_1.0_amd64.changes because all packages are skipped!\n";
          TakeUploads(c.argv);
        } else {
          published_ = true;
          TakeUploads(c.argv);
        }
      } else if (published_) {
        r.output = "bookworm|source|hello|1.0\nbookworm|amd64|hello|1.0\n";
      }
      return r;
    };
  }

  // As reprepro: processincoming RULE NAME takes that upload's files only
  // (this fake: those sharing its "<source>_" prefix); without a name, all.
  void TakeUploads(const std::vector<std::string>& argv) {
    std::string prefix = argv.size() > 5 ? argv[5].substr(0, argv[5].find('_') + 1) : "";
    for (const auto& e : fs::directory_iterator(dir_ / "incoming"))
      if (e.is_regular_file() && e.path().filename().string().starts_with(prefix))
        fs::remove(e.path());
  }

  testing::TestDir tmp_;
  fs::path dir_;
  WatcherConfig config_;
  FakeRunner runner_;
  FakeControllerApi api_;
  bool published_ = false;
};

TEST_F(WatcherTest, PublishedUploadIsReportedUploaded) {
  Upload();
  FakeReprepro(false, false);
  Watcher w(config_, runner_, api_);
  ASSERT_TRUE(w.ProcessRule(0, {}));
  w.reporter().Flush({});
  std::string base = (dir_ / "repo").string();
  std::vector<std::string> list{"reprepro",
                                "-b",
                                base,
                                std::string("--list-format=") + kListFormat,
                                "listfilter",
                                "bookworm",
                                "$Source (== hello)"};
  EXPECT_EQ(runner_.argvs,
            (std::vector<std::vector<std::string>>{
                list,
                {"reprepro", "-b", base, "processincoming", "cbit", "hello_1.0_amd64.changes"},
                list}));
  EXPECT_EQ(api_.calls.back(), "Status 4 Uploaded");
  EXPECT_NE(api_.appended[4].find("published: hello 1.0 (source), hello 1.0 (amd64)"),
            std::string::npos)
      << api_.appended[4];
  EXPECT_NE(api_.appended[4].find("$ reprepro -b "), std::string::npos);
}

// An upload that lands while reprepro runs for another is not taken by
// that run (it would be published, but never judged nor reported): it
// waits for a run of its own.
TEST_F(WatcherTest, UploadArrivingDuringARunWaitsForItsOwnRun) {
  Upload();
  FakeReprepro(false, false);
  auto publish = runner_.respond;
  bool arrived = false;
  runner_.respond = [&](const Command& c) {
    if (!arrived) {  // the listing is done: the first query of the run
      arrived = true;
      Write("incoming/late_1.0_amd64.changes", "Source: late\n");
    }
    return publish(c);
  };
  Watcher w(config_, runner_, api_);
  ASSERT_TRUE(w.ProcessRule(0, {}));
  w.reporter().Flush({});
  EXPECT_EQ(api_.calls.back(), "Status 4 Uploaded");
  EXPECT_TRUE(fs::exists(dir_ / "incoming/late_1.0_amd64.changes"))
      << "taken by a run that does not report it";
}

TEST_F(WatcherTest, SkippedSameVersionIsFailedWithRepreprosMessage) {
  Upload();
  FakeReprepro(true, false);
  Watcher w(config_, runner_, api_);
  ASSERT_TRUE(w.ProcessRule(0, {}));
  w.reporter().Flush({});
  EXPECT_EQ(api_.calls.back(), "Status 4 Failed");
  EXPECT_NE(api_.appended[4].find("all packages are skipped"), std::string::npos);
  EXPECT_NE(api_.appended[4].find("already in the repository"), std::string::npos);
}

TEST_F(WatcherTest, RefusedUploadIsMovedAsideAndFailed) {
  Upload();
  Write("incoming/other.txt", "not part of the upload");
  FakeReprepro(false, true);
  Watcher w(config_, runner_, api_);
  ASSERT_TRUE(w.ProcessRule(0, {}));
  w.reporter().Flush({});
  EXPECT_EQ(api_.calls.back(), "Status 4 Failed");
  EXPECT_NE(api_.appended[4].find("different checksums"), std::string::npos);
  EXPECT_TRUE(fs::exists(dir_ / "incoming/failed/hello_1.0_amd64.changes"));
  EXPECT_TRUE(fs::exists(dir_ / "incoming/failed/hello_1.0_amd64.deb"));
  EXPECT_FALSE(fs::exists(dir_ / "incoming/hello_1.0_amd64.changes"));
  EXPECT_TRUE(fs::exists(dir_ / "incoming/other.txt"));
  // Nothing waits any more: the next run does nothing.
  runner_.argvs.clear();
  ASSERT_TRUE(w.ProcessRule(0, {}));
  EXPECT_TRUE(runner_.argvs.empty());
}

TEST_F(WatcherTest, UnreadableChangesIsMovedAsideWithoutRunningReprepro) {
  Write("incoming/junk_1.0_amd64.changes", "not a control file\n");
  Watcher w(config_, runner_, api_);
  ASSERT_TRUE(w.ProcessRule(0, {}));
  EXPECT_TRUE(runner_.argvs.empty());
  EXPECT_TRUE(fs::exists(dir_ / "incoming/failed/junk_1.0_amd64.changes"));
}

TEST_F(WatcherTest, NothingWaitingRunsNothing) {
  Watcher w(config_, runner_, api_);
  ASSERT_TRUE(w.ProcessRule(0, {}));
  EXPECT_TRUE(runner_.argvs.empty());
  EXPECT_TRUE(api_.calls.empty());
}

TEST_F(WatcherTest, DryRunRunsAndReportsNothing) {
  Upload();
  config_.dryrun = true;
  Watcher w(config_, runner_, api_);
  ASSERT_TRUE(w.ProcessRule(0, {}));
  ASSERT_TRUE(w.ProcessRule(0, {}));
  EXPECT_TRUE(runner_.argvs.empty());
  EXPECT_TRUE(api_.calls.empty());
  EXPECT_TRUE(fs::exists(dir_ / "incoming/hello_1.0_amd64.changes"));
}

TEST_F(WatcherTest, RepositoryThatCannotBeQueriedIsTriedLater) {
  Upload();
  runner_.respond = [](const Command&) {
    CommandResult r;
    r.exit_code = 249;
    r.output = "Cannot find definition of distribution 'bookworm'!";
    return r;
  };
  Watcher w(config_, runner_, api_);
  EXPECT_FALSE(w.ProcessRule(0, {}));
  EXPECT_EQ(runner_.argvs.size(), 1u);  // the query; processincoming not run
  EXPECT_TRUE(fs::exists(dir_ / "incoming/hello_1.0_amd64.changes"));
}

// Another reprepro holding the repository (an admin's, or a killed
// watcher's that still runs) refuses nothing: the upload stays in incoming,
// unjudged, for a later run.
TEST_F(WatcherTest, ARepositoryLockedByAnotherRepreproLeavesTheUploadWaiting) {
  Upload();
  runner_.respond = [](const Command& c) {
    CommandResult r;
    r.exit_code = 0;
    if (c.argv.at(3) == "processincoming") {
      r.exit_code = 239;
      r.output =
          "The lock file 'repo/db/lockfile' already exists. There might be another instance "
          "with the\nsame database dir running.\nThere have been errors!\n";
    }
    return r;
  };
  Watcher w(config_, runner_, api_);
  EXPECT_FALSE(w.ProcessRule(0, {}));
  w.reporter().Flush({});
  EXPECT_EQ(w.reporter().pending(), 0u);
  EXPECT_TRUE(api_.calls.empty());
  EXPECT_TRUE(fs::exists(dir_ / "incoming/hello_1.0_amd64.changes"));
  EXPECT_FALSE(fs::exists(dir_ / "incoming/failed"));
}

// An exception out of a run (here reprepro cannot be run at all) leaves no
// inotify descriptor behind.
TEST_F(WatcherTest, RunThatThrowsClosesItsInotifyDescriptor) {
  Upload();
  runner_.respond = [](const Command& c) {
    if (c.argv.at(3) == "processincoming") throw std::runtime_error("cannot run reprepro");
    CommandResult r;
    r.exit_code = 0;
    return r;
  };
  Watcher w(config_, runner_, api_);
  std::atomic<bool> stop{false};
  const int fds = OpenFdCount();
  EXPECT_THROW(w.Run(stop), std::runtime_error);
  EXPECT_EQ(OpenFdCount(), fds);
}

TEST_F(WatcherTest, DirectoryThatCannotBeWatchedThrowsAndClosesTheDescriptor) {
  config_.rules.push_back({(dir_ / "missing").string(), (dir_ / "repo").string(), "cbit"});
  Watcher w(config_, runner_, api_);
  std::atomic<bool> stop{false};
  const int fds = OpenFdCount();
  EXPECT_THROW(w.Run(stop), std::runtime_error);
  EXPECT_EQ(OpenFdCount(), fds);
}

}  // namespace
}  // namespace cbit::watcher
