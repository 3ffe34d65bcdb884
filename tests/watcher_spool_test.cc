// The watcher's report spool end to end: the real cbit-web (a process on a
// SQLite file, killed and started again), the real cbit-watcher and
// reprepro. A report the controller could not take survives the watcher's
// kill -9 and is delivered by the next watcher.
#include <gtest/gtest.h>
#include <httplib.h>

#include <csignal>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <thread>

#include "core/changes_file.h"
#include "tests/support/controller_harness.h"
#include "tests/support/debpkg.h"
#include "tests/support/fixture.h"
#include "tests/support/ports.h"
#include "tests/support/watcher_process.h"
#include "tests/support/web_process.h"

namespace cbit::testing {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

class WatcherSpool : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = ScratchDir("watcher-spool");
    incoming_ = dir_ + "/incoming";
    repo_ = dir_ + "/repo";
    MakeIncomingRepository(dir_);
    web_ = {dir_, FreePort(), FreePort(), nullptr};
  }

  std::unique_ptr<httplib::Client> Admin() const {
    auto c = std::make_unique<httplib::Client>("127.0.0.1", web_.port);
    c->set_basic_auth(kAdminUser, kAdminPassword);
    c->set_read_timeout(10, 0);
    return c;
  }

  // The target, then a job taken through Building (one log line) to Done.
  Id DoneJob(httplib::Client& admin) {
    AddHostTarget(admin, "chickpea");
    Id id = testing::DoneJob(admin, "hello-spool", "1.0");
    if (!id) throw std::runtime_error("vcshook failed");
    return id;
  }

  // The mark a watcher sets before reprepro runs on the uploaded .changes
  // (incoming/.running); its name.
  std::string MarkRunning() {
    const std::string changes = "hello-spool_1.0_" + HostArch() + ".changes";
    fs::create_directories(incoming_ + "/.running");
    fs::create_hard_link(incoming_ + "/" + changes, incoming_ + "/.running/" + changes);
    return changes;
  }

  // Builds hello-spool 1.0 and drops it into incoming as dput does.
  void Upload() {
    std::string dir = dir_ + "/build/hello-spool";
    WritePackage({.name = "hello-spool",
                  .version = "1.0",
                  .suite = "chickpea",
                  .kind = PackageKind::kArchAll},
                 dir);
    MustRun({"dpkg-buildpackage", "-us", "-uc"}, dir);
    fs::path changes = fs::path(dir).parent_path() / ("hello-spool_1.0_" + HostArch() + ".changes");
    auto parsed = ReadChanges(changes.string());
    ASSERT_TRUE(parsed);
    for (const auto& f : parsed->files)
      fs::copy_file(changes.parent_path() / f, fs::path(incoming_) / f);
    fs::copy_file(changes, fs::path(incoming_) / changes.filename());
  }

  std::string dir_, incoming_, repo_;
  WebSetup web_;
};

TEST_F(WatcherSpool, AReportSurvivesAKilledWatcherWhileTheControllerIsDown) {
  Id job = 0;
  {
    WebProcess web(web_);
    job = DoneJob(*Admin());
    ASSERT_EQ(web.Stop(), 0);
  }
  ASSERT_NO_FATAL_FAILURE(Upload());

  // The controller is down: reprepro publishes, the report cannot go.
  WatcherProcess first({incoming_, repo_, "cbit", web_.port, 1});
  ASSERT_TRUE(first.WaitForLog("controller unavailable", 60s)) << first.Log();
  first.Kill();
  EXPECT_NE(MustRun({"reprepro", "-b", repo_, "list", "bookworm"}).find("hello-spool 1.0"),
            std::string::npos);

  WebProcess web(web_);
  auto admin = Admin();
  EXPECT_EQ(StatusOf(*admin, job), "Done");
  WatcherProcess second({incoming_, repo_, "cbit", web_.port, 1});
  ASSERT_EQ(StatusWithin(*admin, job, "Uploaded", 60s), "Uploaded") << second.Log();
  auto log = admin->Get("/job/" + std::to_string(job) + "/log");
  ASSERT_TRUE(log);
  EXPECT_NE(log->body.find("built it\n"), std::string::npos) << log->body;
  EXPECT_NE(log->body.find("published: hello-spool 1.0 (source)"), std::string::npos) << log->body;
  std::string verdict = "hello-spool_1.0_" + HostArch() + ".changes: published";
  auto at = log->body.find(verdict);
  EXPECT_NE(at, std::string::npos) << log->body;
  EXPECT_EQ(log->body.find(verdict, at + 1), std::string::npos) << "appended twice: " << log->body;
  EXPECT_TRUE(fs::is_empty(incoming_ + "/reports")) << "the delivered report stays spooled";
  EXPECT_EQ(second.Stop(), 0);
}

// A watcher killed after reprepro published an upload but before its
// verdict reached the spool leaves the upload marked in incoming/.running
// (and gone from incoming): the next watcher judges it from the repository.
TEST_F(WatcherSpool, AnUploadPublishedByAKilledRunIsReportedByTheNextWatcher) {
  WebProcess web(web_);
  auto admin = Admin();
  Id job = DoneJob(*admin);
  ASSERT_NO_FATAL_FAILURE(Upload());
  // What the killed run did: the mark, then reprepro; no verdict.
  const std::string changes = MarkRunning();
  MustRun({"reprepro", "-b", repo_, "processincoming", "cbit"});
  ASSERT_FALSE(fs::exists(incoming_ + "/" + changes));

  WatcherProcess watcher({incoming_, repo_, "cbit", web_.port, 1});
  ASSERT_EQ(StatusWithin(*admin, job, "Uploaded", 60s), "Uploaded") << watcher.Log();
  auto log = admin->Get("/job/" + std::to_string(job) + "/log");
  ASSERT_TRUE(log);
  EXPECT_NE(log->body.find("judged at its restart"), std::string::npos) << log->body;
  EXPECT_TRUE(fs::is_empty(incoming_ + "/.running"));
  EXPECT_EQ(watcher.Stop(), 0);
}

// reprepro runs in a process group of its own, so a watcher killed with
// kill -9 leaves it running, holding the repository's lock. The next
// watcher finds the upload marked and still in incoming; the old reprepro
// then takes it out of incoming. The mark makes the new watcher judge it
// once the lock is free, instead of forgetting it (the job stayed Done).
TEST_F(WatcherSpool, AnUploadAKilledWatchersRepreproFinishesLaterIsReported) {
  WebProcess web(web_);
  auto admin = Admin();
  Id job = DoneJob(*admin);
  ASSERT_NO_FATAL_FAILURE(Upload());
  const std::string changes = MarkRunning();
  // The old reprepro's lock, as reprepro itself writes it.
  fs::create_directories(repo_ + "/db");
  std::ofstream(repo_ + "/db/lockfile") << "";

  WatcherProcess watcher({incoming_, repo_, "cbit", web_.port, 1});
  ASSERT_TRUE(watcher.WaitForLog("already exists", 30s)) << watcher.Log();
  // The old reprepro finishes, while the new watcher is held still so that
  // it cannot take the upload itself in between.
  ASSERT_EQ(kill(watcher.pid(), SIGSTOP), 0);
  fs::remove(repo_ + "/db/lockfile");
  MustRun({"reprepro", "-b", repo_, "processincoming", "cbit", changes});
  ASSERT_EQ(kill(watcher.pid(), SIGCONT), 0);
  ASSERT_FALSE(fs::exists(incoming_ + "/" + changes));

  ASSERT_EQ(StatusWithin(*admin, job, "Uploaded", 60s), "Uploaded") << watcher.Log();
  EXPECT_TRUE(fs::is_empty(incoming_ + "/.running"));
  EXPECT_FALSE(fs::exists(incoming_ + "/failed")) << "a locked repository refused nothing";
  EXPECT_EQ(watcher.Stop(), 0);
}

}  // namespace
}  // namespace cbit::testing
