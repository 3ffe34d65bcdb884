#include "client/roots.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/file.h>

#include <algorithm>
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

// A fake that stands in for tar (the unpacked root's apt directory) and cp
// (a real copy), so that Create and its cross steps run without a sandbox.
struct FakeRoots {
  fs::path dir;
  FakeRunner runner;
  Roots roots;

  explicit FakeRoots(const std::string& what)
      : dir(fs::path(::testing::TempDir()) / what),
        roots({dir.string(), "cbit-sandbox", "", "/srv/bookworm-amd64.tar"}, runner, {}) {
    fs::remove_all(dir);
    runner.respond = [](const Command& c) {
      auto at = std::find(c.argv.begin(), c.argv.end(), "--chdir");
      if (at != c.argv.end() && std::find(c.argv.begin(), c.argv.end(), "tar") != c.argv.end()) {
        fs::create_directories(fs::path(*(at + 1)) / "etc/apt/apt.conf.d");
      }
      if (c.argv.size() > 2 && c.argv[2] == "cp") {
        fs::copy(c.argv[c.argv.size() - 2], c.argv.back(), fs::copy_options::recursive);
      }
      return CommandResult{.exit_code = 0};
    };
  }
  // The commands run in the writable generation, after the first "--".
  std::vector<std::string> StepsOf(const Command& c) const {
    return {std::find(c.argv.begin(), c.argv.end(), "--") + 1, c.argv.end()};
  }
  std::string Info() const {
    std::ifstream in(dir / "bookworm-amd64/current/.cbit-root");
    return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  }
};

TEST(Roots, CreateWithCrossAddsTheArchAndItsToolchainAndRecordsIt) {
  FakeRoots f("roots-cross");
  ASSERT_TRUE(f.roots.Create("bookworm", "bookworm", "amd64", {"arm64", "armhf"}));
  ASSERT_EQ(f.runner.commands.size(), 2u);  // tar, then apt in the generation
  const Command& apt = f.runner.commands[1];
  EXPECT_NE(std::find(apt.argv.begin(), apt.argv.end(), "--writable-root"), apt.argv.end());
  EXPECT_NE(std::find(apt.argv.begin(), apt.argv.end(), "--net"), apt.argv.end());
  EXPECT_EQ(f.StepsOf(apt), (std::vector<std::string>{"dpkg",
                                                      "--add-architecture",
                                                      "arm64",
                                                      "--and",
                                                      "dpkg",
                                                      "--add-architecture",
                                                      "armhf",
                                                      "--and",
                                                      "apt-get",
                                                      "-q",
                                                      "update",
                                                      "--and",
                                                      "apt-get",
                                                      "-q",
                                                      "-y",
                                                      "install",
                                                      "crossbuild-essential-arm64",
                                                      "libc6-dev:arm64",
                                                      "crossbuild-essential-armhf",
                                                      "libc6-dev:armhf",
                                                      "--and",
                                                      "apt-get",
                                                      "clean"}));
  EXPECT_NE(f.Info().find("\ncross=arm64 armhf\n"), std::string::npos) << f.Info();
  std::vector<RootInfo> list = f.roots.List();
  ASSERT_EQ(list.size(), 1u);
  EXPECT_EQ(list[0].cross, (std::vector<std::string>{"arm64", "armhf"}));

  // Again with archs it has: kept as it is, nothing run.
  f.runner.commands.clear();
  EXPECT_FALSE(f.roots.Create("bookworm", "bookworm", "amd64", {"arm64"}));
  EXPECT_TRUE(f.runner.commands.empty());
  EXPECT_THROW(f.roots.Create("bookworm", "bookworm", "amd64", {"amd64"}), std::runtime_error);
  EXPECT_THROW(f.roots.Create("bookworm", "bookworm", "amd64", {"all"}), std::runtime_error);
}

// A root made without --cross is given the arch in a new generation (a copy
// of the current one): the fix the toolchain-missing failure names.
TEST(Roots, CreateWithCrossCompletesAnExistingRootInANewGeneration) {
  FakeRoots f("roots-cross-add");
  ASSERT_TRUE(f.roots.Create("bookworm", "bookworm", "amd64"));
  const Command& plain = f.runner.commands[1];
  EXPECT_EQ(std::find(plain.argv.begin(), plain.argv.end(), "--add-architecture"),
            plain.argv.end());
  EXPECT_EQ(f.Info().find("cross="), std::string::npos);
  fs::path before = fs::read_symlink(f.dir / "bookworm-amd64/current");
  f.runner.commands.clear();
  ASSERT_TRUE(f.roots.Create("bookworm", "bookworm", "amd64", {"arm64"}));
  fs::path after = fs::read_symlink(f.dir / "bookworm-amd64/current");
  EXPECT_NE(before, after);
  ASSERT_GE(f.runner.commands.size(), 2u);
  EXPECT_EQ(f.runner.commands[0].argv[2], "cp");
  EXPECT_EQ(f.StepsOf(f.runner.commands[1]),
            (std::vector<std::string>{"dpkg", "--add-architecture", "arm64", "--and", "apt-get",
                                      "-q", "update", "--and", "apt-get", "-q", "-y", "install",
                                      "crossbuild-essential-arm64", "libc6-dev:arm64", "--and",
                                      "apt-get", "clean"}));
  EXPECT_NE(f.Info().find("\ncross=arm64\nupdated="), std::string::npos) << f.Info();

  // An update keeps the record (and the copy keeps the toolchain).
  f.roots.Update("bookworm-amd64");
  EXPECT_NE(f.Info().find("\ncross=arm64\n"), std::string::npos) << f.Info();
  EXPECT_EQ(f.roots.List().at(0).cross, (std::vector<std::string>{"arm64"}));
}

}  // namespace
}  // namespace cbit::client
