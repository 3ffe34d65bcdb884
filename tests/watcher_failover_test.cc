// Two cbit-web on one PostgreSQL database, and a watcher configured with
// both URLs: once the first controller is killed (its keep-alive connection
// dead with it), the watcher's reports go to the second and arrive.
#include <gtest/gtest.h>
#include <httplib.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <thread>

#include "core/changes_file.h"
#include "tests/support/controller_harness.h"
#include "tests/support/debpkg.h"
#include "tests/support/fixture.h"
#include "tests/support/ports.h"
#include "tests/support/postgres.h"
#include "tests/support/watcher_process.h"
#include "tests/support/web_process.h"

namespace cbit::testing {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

constexpr const char* kForm = "application/x-www-form-urlencoded";
constexpr const char* kPackage = "hello-wfailover";

std::string Url(const WebSetup& w) { return "http://127.0.0.1:" + std::to_string(w.port); }

void AddTarget(httplib::Client& admin) {
  for (auto [path, body] : std::initializer_list<std::pair<std::string, std::string>>{
           {"/arch", "name=" + HostArch()},
           {"/dist", "name=Debian"},
           {"/format", "name=deb"},
           {"/suite", "name=chickpea"},
           {"/suitearch", "suite=chickpea&arch=" + HostArch() + "&master_weight=1"}}) {
    auto r = admin.Put(path, body, kForm);
    ASSERT_TRUE(r && r->status == 200) << path << (r ? r->body : "");
  }
}

// Builds the package at `version` and drops it into `incoming` as dput does.
void Upload(const std::string& scratch, const std::string& incoming, const std::string& version) {
  std::string dir = scratch + "/build-" + version + "/" + kPackage;
  WritePackage(
      {.name = kPackage, .version = version, .suite = "chickpea", .kind = PackageKind::kArchAll},
      dir);
  MustRun({"dpkg-buildpackage", "-us", "-uc"}, dir);
  fs::path changes = fs::path(dir).parent_path() /
                     (std::string(kPackage) + "_" + version + "_" + HostArch() + ".changes");
  auto parsed = ReadChanges(changes.string());
  ASSERT_TRUE(parsed);
  for (const auto& f : parsed->files)
    fs::copy_file(changes.parent_path() / f, fs::path(incoming) / f);
  fs::copy_file(changes, fs::path(incoming) / changes.filename());
}

TEST(WatcherFailover, ReportsGoToTheSecondControllerOnceTheFirstIsKilled) {
  const std::string dir = ScratchDir("watcher-failover");
  MakeIncomingRepository(dir);
  const nlohmann::json db = {{"backend", "postgres"}, {"conninfo", FreshPostgresDatabase()}};
  // No broker: the watcher's calls need none (the outbox keeps the messages).
  WebSetup first{dir, FreePort(), FreePort(), nullptr, db};
  WebSetup second{dir, FreePort(), FreePort(), nullptr, db};
  auto a = std::make_unique<WebProcess>(first);
  WebProcess b(second);
  httplib::Client admin("127.0.0.1", second.port);
  admin.set_basic_auth(kAdminUser, kAdminPassword);
  admin.set_read_timeout(10, 0);
  ASSERT_NO_FATAL_FAILURE(AddTarget(admin));

  WatcherSetup setup{dir + "/incoming", dir + "/repo", "cbit", first.port, 1};
  setup.controller_urls = {Url(first), Url(second)};
  WatcherProcess watcher(setup);

  // Both up: the first controller takes the report.
  const Id one = DoneJob(admin, kPackage, "1.0");
  ASSERT_NE(one, 0);
  ASSERT_NO_FATAL_FAILURE(Upload(dir, setup.incoming, "1.0"));
  ASSERT_EQ(StatusWithin(admin, one, "Uploaded", 60s), "Uploaded") << watcher.Log();
  EXPECT_EQ(watcher.Log().find("did not take the call"), std::string::npos) << watcher.Log();

  a->Kill();
  const Id two = DoneJob(admin, kPackage, "1.1");
  ASSERT_NE(two, 0);
  ASSERT_NO_FATAL_FAILURE(Upload(dir, setup.incoming, "1.1"));
  ASSERT_EQ(StatusWithin(admin, two, "Uploaded", 60s), "Uploaded") << watcher.Log();
  EXPECT_NE(watcher.Log().find("trying " + Url(second)), std::string::npos) << watcher.Log();
  EXPECT_EQ(watcher.Log().find("controller unavailable"), std::string::npos)
      << "the report waited instead of going to the second controller: " << watcher.Log();
  auto log = admin.Get("/job/" + std::to_string(two) + "/log");
  ASSERT_TRUE(log);
  EXPECT_NE(log->body.find("published: " + std::string(kPackage) + " 1.1"), std::string::npos)
      << log->body;
  EXPECT_EQ(watcher.Stop(), 0);
}

}  // namespace
}  // namespace cbit::testing
