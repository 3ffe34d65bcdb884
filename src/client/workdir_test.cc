#include "client/workdir.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>

#include "testing/test_dir.h"

namespace cbit::client {
namespace {
namespace fs = std::filesystem;

bool Has(const std::vector<std::string>& v, const fs::path& p) {
  return std::find(v.begin(), v.end(), p.string()) != v.end();
}

TEST(Workdir, Names) {
  EXPECT_TRUE(IsWorkdirName("job-42"));
  EXPECT_TRUE(IsWorkdirName("job-42-build_client_a"));
  EXPECT_FALSE(IsWorkdirName("job-"));
  EXPECT_FALSE(IsWorkdirName("job-x"));
  EXPECT_FALSE(IsWorkdirName("job-42-"));
  EXPECT_FALSE(IsWorkdirName("jobs"));
  EXPECT_FALSE(IsWorkdirName(".apt"));
}

TEST(Workdir, SweepRemovesDirectoriesNobodyHoldsAndKeepsTheOneInUse) {
  testing::TestDir tmp;
  const fs::path root = tmp.path();
  fs::create_directories(root / "job-1" / "hello-cbit" / "debian");
  std::ofstream(root / "job-1" / "hello-cbit" / "debian" / "rules") << "x";
  fs::create_directories(root / "job-2-build_client_b");
  fs::create_directories(root / "keep-me");
  std::ofstream(root / "job-3") << "a file, not a work directory";
  // A link named like a work directory is not followed.
  fs::create_directories(root / "elsewhere" / "inside");
  fs::create_directory_symlink(root / "elsewhere", root / "job-4");
  std::error_code ec;
  std::optional<Workdir> held = Workdir::Acquire((root / "job-5").string(), ec);
  ASSERT_TRUE(held) << ec.message();

  std::vector<std::string> removed = SweepWorkdirs(root.string());
  EXPECT_EQ(removed.size(), 2u);
  EXPECT_TRUE(Has(removed, root / "job-1"));
  EXPECT_TRUE(Has(removed, root / "job-2-build_client_b"));
  EXPECT_FALSE(fs::exists(root / "job-1"));
  EXPECT_FALSE(fs::exists(root / "job-2-build_client_b"));
  EXPECT_TRUE(fs::is_directory(root / "job-5"));  // held: being built
  EXPECT_TRUE(fs::exists(root / "keep-me"));
  EXPECT_TRUE(fs::exists(root / "job-3"));
  EXPECT_TRUE(fs::exists(root / "elsewhere" / "inside"));

  held->Remove(ec);
  EXPECT_FALSE(ec) << ec.message();
  EXPECT_FALSE(fs::exists(root / "job-5"));
  EXPECT_TRUE(SweepWorkdirs(root.string()).empty());
}

TEST(Workdir, AJobsDirectoryHeldByAnotherTakesTheClientsNameAndLeftoversAreEmptied) {
  testing::TestDir tmp;
  const fs::path root = tmp.path();
  fs::create_directories(root / "job-9" / "stale");
  std::error_code ec;
  std::optional<Workdir> first = Workdir::ForJob(root.string(), 9, "build_client_a", ec);
  ASSERT_TRUE(first) << ec.message();
  EXPECT_EQ(first->path(), (root / "job-9").string());
  EXPECT_TRUE(fs::is_empty(root / "job-9"));  // a dead client's leftovers
  std::optional<Workdir> second = Workdir::ForJob(root.string(), 9, "build_client_b", ec);
  ASSERT_TRUE(second) << ec.message();
  EXPECT_EQ(second->path(), (root / "job-9-build_client_b").string());
  // Both held: a sweep leaves them alone.
  EXPECT_TRUE(SweepWorkdirs(root.string()).empty());
  // The same client twice (two clients with one name): refused, not shared.
  EXPECT_FALSE(Workdir::ForJob(root.string(), 9, "build_client_b", ec));
  EXPECT_FALSE(ec);
}

}  // namespace
}  // namespace cbit::client
