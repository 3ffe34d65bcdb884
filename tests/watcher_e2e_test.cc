// cbit-watcher end to end: the real binary, a real reprepro repository
// (conf/distributions + conf/incoming with a rule, unsigned), real packages
// built with dpkg-buildpackage, and an in-process controller whose jobs the
// watcher moves from Done to Uploaded or Failed.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <thread>

#include "core/changes_file.h"
#include "queue/fake_publisher.h"
#include "queue/publisher.h"
#include "tests/support/controller_harness.h"
#include "tests/support/databases.h"
#include "tests/support/debpkg.h"
#include "tests/support/fixture.h"
#include "tests/support/ports.h"
#include "tests/support/scrape.h"
#include "tests/support/watcher_process.h"

namespace cbit::testing {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

class WatcherE2e : public ::testing::Test {
 protected:
  void SetUp() override {
    harness_ = std::make_unique<ControllerHarness>(OpenTestDatabase("sqlite"), publisher_);
    for (auto [path, body] : std::initializer_list<std::pair<std::string, std::string>>{
             {"/arch", "name=" + HostArch()},
             {"/dist", "name=Debian"},
             {"/format", "name=deb"},
             {"/suite", "name=chickpea"},
             {"/suitearch", "suite=chickpea&arch=" + HostArch() + "&master_weight=1"}}) {
      auto r = harness_->admin().Put(path, body, "application/x-www-form-urlencoded");
      ASSERT_TRUE(r && r->status == 200) << path;
    }
    static int counter = 0;
    scratch_ = ScratchDir("watcher-e2e-" + std::to_string(++counter));
    incoming_ = scratch_ + "/incoming";
    repo_ = scratch_ + "/repo";
    MakeIncomingRepository(scratch_);
  }

  WatcherSetup Setup() const { return {incoming_, repo_, "cbit", harness_->port(), 1}; }

  // Builds the package (source + binaries) and answers its .changes path.
  std::string Build(const std::string& version, const std::string& tag) {
    std::string dir = scratch_ + "/build-" + tag + "/hello-watch";
    WritePackage({.name = "hello-watch",
                  .version = version,
                  .suite = "chickpea",
                  .kind = PackageKind::kArchAll},
                 dir);
    std::ofstream(dir + "/TAG") << tag << "\n";  // different bytes per tag
    MustRun({"dpkg-buildpackage", "-us", "-uc"}, dir);
    auto p =
        fs::path(dir).parent_path() / ("hello-watch_" + version + "_" + HostArch() + ".changes");
    if (!fs::exists(p)) throw std::runtime_error("no " + p.string());
    return p.string();
  }

  // As dput does: the files first, the .changes last.
  void Drop(const std::string& changes_path) {
    auto changes = ReadChanges(changes_path);
    ASSERT_TRUE(changes);
    fs::path from = fs::path(changes_path).parent_path();
    for (const auto& f : changes->files) {
      fs::copy_file(from / f, fs::path(incoming_) / f, fs::copy_options::overwrite_existing);
    }
    fs::copy_file(changes_path, fs::path(incoming_) / fs::path(changes_path).filename(),
                  fs::copy_options::overwrite_existing);
  }

  // A job for the version, taken through Building (one log line) to Done, as
  // a build client would.
  Id DoneJob(const std::string& version) {
    Id id = testing::DoneJob(harness_->admin(), "hello-watch", version);
    if (!id) throw std::runtime_error("vcshook failed");
    return id;
  }

  bool WaitForStatus(Id job, const std::string& status) {
    auto until = std::chrono::steady_clock::now() + 60s;
    while (std::chrono::steady_clock::now() < until) {
      if (harness_->store().GetJob(job).status == status) return true;
      std::this_thread::sleep_for(100ms);
    }
    return false;
  }

  std::string LogOf(Id job) {
    auto r = harness_->anon().Get("/job/" + std::to_string(job) + "/log");
    return r && r->status == 200 ? r->body : "";
  }

  // The regular files left in the incoming directory, one per line.
  std::string IncomingFiles() const {
    std::string out;
    for (const auto& e : fs::directory_iterator(incoming_))
      if (e.is_regular_file()) out += e.path().filename().string() + "\n";
    return out;
  }

  std::string RepoList() { return MustRun({"reprepro", "-b", repo_, "list", "bookworm"}); }

  queue::FakePublisher publisher_;
  std::unique_ptr<ControllerHarness> harness_;
  std::string scratch_, incoming_, repo_;
};

TEST_F(WatcherE2e, PublishesARepeatedUploadButRefusesOtherContents) {
  std::string changes = Build("1.0", "a");
  WatcherProcess watcher(Setup());
  ASSERT_TRUE(watcher.WaitForLog("watching " + incoming_, 30s)) << watcher.Log();

  Id first = DoneJob("1.0");
  Drop(changes);
  ASSERT_TRUE(WaitForStatus(first, "Uploaded")) << watcher.Log();
  EXPECT_NE(RepoList().find("hello-watch 1.0"), std::string::npos) << RepoList();
  std::string log = LogOf(first);
  EXPECT_NE(log.find("built it\n"), std::string::npos) << log;
  EXPECT_NE(log.find("processincoming cbit"), std::string::npos) << log;
  EXPECT_NE(log.find("published: hello-watch 1.0 (source), hello-watch 1.0 (all)"),
            std::string::npos)
      << log;

  // The same files again (a client killed between dput and its Done report
  // builds and uploads again): reprepro skips them ("all packages are
  // skipped") and exits 0; the pool holds these very files, so the job's
  // build is published.
  Id second = DoneJob("1.0");
  Drop(changes);
  ASSERT_TRUE(WaitForStatus(second, "Uploaded")) << watcher.Log();
  log = LogOf(second);
  EXPECT_NE(log.find("all packages are skipped"), std::string::npos) << log;
  EXPECT_NE(log.find("already published with the same checksums"), std::string::npos) << log;
  EXPECT_EQ(harness_->store().GetJob(first).status, "Uploaded");
  EXPECT_EQ(IncomingFiles(), "");
  EXPECT_FALSE(fs::exists(incoming_ + "/failed"));

  // The same version with other contents: reprepro refuses it with an error
  // and leaves it in incoming; the watcher moves it aside.
  std::string other = Build("1.0", "b");
  Id third = DoneJob("1.0");
  Drop(other);
  ASSERT_TRUE(WaitForStatus(third, "Failed")) << watcher.Log();
  EXPECT_NE(LogOf(third).find("different checksums"), std::string::npos) << LogOf(third);
  EXPECT_TRUE(fs::exists(incoming_ + "/failed/" + fs::path(other).filename().string()));
  EXPECT_FALSE(fs::exists(incoming_ + "/" + fs::path(other).filename().string()));
  EXPECT_EQ(watcher.Stop(), 0);
}

TEST_F(WatcherE2e, ProcessesWhatWaitsAtStartUp) {
  std::string changes = Build("2.0", "a");
  Id job = DoneJob("2.0");
  Drop(changes);
  WatcherProcess watcher(Setup());
  ASSERT_TRUE(WaitForStatus(job, "Uploaded")) << watcher.Log();
  EXPECT_NE(RepoList().find("hello-watch 2.0"), std::string::npos) << RepoList();
  EXPECT_EQ(watcher.Stop(), 0);
}

// --metrics-port on the real watcher: an upload judged, reprepro's runs and
// the report the controller took, scraped the way Prometheus would.
TEST_F(WatcherE2e, ItsMetricsCountAPublishedUpload) {
  std::string changes = Build("4.0", "a");
  Id job = DoneJob("4.0");
  WatcherSetup setup = Setup();
  const int port = FreePort();
  setup.args = {"--metrics-port", std::to_string(port)};
  WatcherProcess watcher(setup);
  ASSERT_TRUE(watcher.WaitForLog("watching " + incoming_, 30s)) << watcher.Log();
  auto before = Scrape(port);
  EXPECT_EQ(before.Value("cbit_watcher_uploads_total", {{"result", "published"}}), 0);
  EXPECT_EQ(before.Value("cbit_watcher_reports_waiting"), 0);
  Drop(changes);
  ASSERT_TRUE(WaitForStatus(job, "Uploaded")) << watcher.Log();
  auto after = Scrape(port);
  EXPECT_EQ(after.Value("cbit_watcher_uploads_total", {{"result", "published"}}), 1);
  EXPECT_EQ(after.Value("cbit_watcher_uploads_total", {{"result", "failed"}}), 0);
  EXPECT_EQ(after.Value("cbit_watcher_reprepro_runs_total",
                        {{"command", "processincoming"}, {"result", "ok"}}),
            1);
  EXPECT_GE(after.Sum("cbit_watcher_reprepro_runs_total", {{"command", "listfilter"}}), 2);
  EXPECT_EQ(
      after.Value("cbit_watcher_reprepro_duration_seconds_count", {{"command", "processincoming"}}),
      1);
  EXPECT_EQ(after.Value("cbit_watcher_reports_accepted_total", {{"status", "Uploaded"}}), 1);
  EXPECT_GT(after.Value("cbit_watcher_last_report_accepted_timestamp_seconds").value_or(0), 1.6e9);
  EXPECT_EQ(after.Value("cbit_watcher_reports_waiting"), 0);
  EXPECT_EQ(StatusOf(port, "GET", "/health/live"), 200);
  EXPECT_EQ(watcher.Stop(), 0);
}

TEST_F(WatcherE2e, AnUploadWithoutAJobIsPublished) {
  std::string changes = Build("3.0", "a");
  WatcherProcess watcher(Setup());
  ASSERT_TRUE(watcher.WaitForLog("watching " + incoming_, 30s)) << watcher.Log();
  Drop(changes);
  ASSERT_TRUE(watcher.WaitForLog("a manual upload", 60s)) << watcher.Log();
  EXPECT_NE(RepoList().find("hello-watch 3.0"), std::string::npos) << RepoList();
  EXPECT_EQ(watcher.Stop(), 0);
}

}  // namespace
}  // namespace cbit::testing
