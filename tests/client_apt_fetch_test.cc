// The apt fetcher against a real deb-src repository on disk: apt-get runs
// with the client's private configuration and must leave the system's apt
// state alone.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "client/build.h"
#include "client/fetch.h"
#include "tests/support/debpkg.h"
#include "tests/support/fixture.h"

namespace cbit::client {
namespace fs = std::filesystem;

TEST(ClientAptFetch, AptGetSourceWithAPrivateConfigurationThenHostBuild) {
  std::string scratch = cbit::testing::ScratchDir("client-apt");
  cbit::testing::PackageSpec spec;
  spec.name = "hello-cbit-apt";
  cbit::testing::WritePackage(spec, scratch + "/src");
  std::string repo = scratch + "/repo";
  fs::create_directories(repo);
  cbit::testing::MustRun({"dpkg-source", "--build", scratch + "/src"}, repo);
  std::ofstream(repo + "/Sources") << cbit::testing::MustRun({"dpkg-scansources", "."}, repo);
  std::string sources_list = scratch + "/sources.list";
  std::ofstream(sources_list) << "deb-src [trusted=yes] file:" << repo << " ./\n";

  JobSpec job;
  job.package = spec.name;
  job.version = spec.version;
  job.suite = spec.suite;
  job.arch = cbit::testing::HostArch();
  job.dist = "debian";
  job.format = "deb";
  job.transport = {"apt", "", ""};
  std::string work = scratch + "/work";
  fs::create_directories(work);
  std::string log;
  LogSink sink = [&](std::string_view s) { log += s; };
  SubprocessRunner runner;
  FetchResult fetched = Fetch(job, work, {sources_list}, runner, sink);
  ASSERT_TRUE(fetched.result.ok()) << fetched.result.detail << log;
  EXPECT_EQ(fetched.source_dir, work + "/hello-cbit-apt-1.0");
  EXPECT_TRUE(fs::exists(work + "/.apt/lists"));

  // The repository's index went to the private lists, not the system's.
  for (const auto& entry : fs::directory_iterator("/var/lib/apt/lists")) {
    EXPECT_EQ(entry.path().filename().string().find("client-apt"), std::string::npos);
  }
  BuildResult built = Build(job, fetched.source_dir, {}, runner, sink);
  ASSERT_TRUE(built.result.ok()) << built.result.detail << log;
  EXPECT_TRUE(fs::exists(built.changes));
}

}  // namespace cbit::client
