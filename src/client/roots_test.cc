#include "client/roots.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/file.h>

#include <filesystem>
#include <fstream>

#include "client/fake_runner.h"
#include "util/unique_fd.h"

namespace cbit::client {
namespace {
namespace fs = std::filesystem;

TEST(Roots, MirrorFromOneLineAndDeb822Sources) {
  std::string one_line = "# comment\ndeb http://a.example/debian bookworm main\n";
  EXPECT_EQ(MirrorIn(one_line, "bookworm"), "http://a.example/debian");
  EXPECT_FALSE(MirrorIn(one_line, "trixie"));
  std::string deb822 =
      "Types: deb\nURIs: http://b.example/debian\nSuites: bookworm bookworm-updates\n"
      "Components: main\n\nTypes: deb\nURIs: http://c.example/debian-security\n"
      "Suites: bookworm-security\n";
  EXPECT_EQ(MirrorIn(deb822, "bookworm-updates"), "http://b.example/debian");
  EXPECT_EQ(MirrorIn(deb822, "bookworm-security"), "http://c.example/debian-security");
}

// An old generation a build still holds (a shared flock, as cbit-sandbox
// takes) is kept; one nobody holds is removed; the current one is kept.
TEST(Roots, SweepRemovesOnlyUnheldOldGenerations) {
  fs::path dir = fs::path(::testing::TempDir()) / "roots-sweep";
  fs::remove_all(dir);
  for (const char* g : {"g-1", "g-2", "g-3"}) fs::create_directories(dir / "bookworm-amd64" / g);
  fs::create_symlink("g-3", dir / "bookworm-amd64" / "current");
  UniqueFd held(::open((dir / "bookworm-amd64" / "g-2").c_str(), O_RDONLY | O_DIRECTORY));
  ASSERT_EQ(::flock(held.get(), LOCK_SH), 0);
  FakeRunner runner;
  Roots roots({dir.string(), "cbit-sandbox"}, runner, {});
  EXPECT_EQ(roots.Sweep("bookworm-amd64"), 1);
  ASSERT_EQ(runner.commands.size(), 1u);
  EXPECT_EQ(runner.commands[0].argv.back(), (dir / "bookworm-amd64" / "g-1").string());
  std::vector<RootInfo> list = roots.List();
  ASSERT_EQ(list.size(), 1u);
  EXPECT_EQ(list[0].name, "bookworm-amd64");
  EXPECT_EQ(list[0].generation, "g-3");
  EXPECT_EQ(list[0].older, 2);  // g-1 is still there: the fake removed nothing
  EXPECT_THROW(roots.Sweep("../etc"), std::runtime_error);
}

}  // namespace
}  // namespace cbit::client
