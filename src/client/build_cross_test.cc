// Cross builds through every builder, with the fake runner: the mode of
// each arch, the toolchain checks, and the argv each builder runs.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>

#include "client/build.h"
#include "client/build_test_dir.h"
#include "client/fake_runner.h"
#include "client/isolated.h"
#include "client/test_job.h"

namespace cbit::client {
namespace fs = std::filesystem;
namespace {

using Argv = std::vector<std::string>;

// A client on amd64 that cross-builds for arm64; the fake writes the
// .changes of the job's arch.
struct CrossDir : BuildDir {
  BuildConfig config;
  CrossDir() {
    config.build_arch = "amd64";
    config.cross_arches = {"arm64"};
    runner.respond = [this](const Command& c) {
      if (c.argv[0] == "dpkg-buildpackage" || c.argv[0] == "sbuild") {
        for (const auto& a : c.argv) {
          if (a == "-aarm64" || a == "--host=arm64") {
            std::ofstream(dir / "hello-cbit_1.0-2_arm64.changes");
          }
        }
        std::ofstream(dir / "hello-cbit_1.0-2_amd64.changes");
      }
      return CommandResult{.exit_code = 0};
    };
  }
  static JobSpec Arm64() {
    JobSpec job = TestJob();
    job.arch = "arm64";
    return job;
  }
};

}  // namespace

TEST(Build, ModeForNativeCrossAndRefusedArches) {
  BuildConfig config;
  EXPECT_EQ(ModeFor("armhf", config), ArchMode::kNative);  // no build_arch: as before
  config.build_arch = "amd64";
  config.cross_arches = {"arm64", "armhf"};
  EXPECT_EQ(ModeFor("amd64", config), ArchMode::kNative);
  EXPECT_EQ(ModeFor("all", config), ArchMode::kNative);  // arch:all is never a cross build
  EXPECT_EQ(ModeFor("arm64", config), ArchMode::kCross);
  EXPECT_EQ(ModeFor("armhf", config), ArchMode::kCross);
  EXPECT_EQ(ModeFor("i386", config), ArchMode::kRefused);
  EXPECT_EQ(CrossToolchain("arm64"), "crossbuild-essential-arm64:native, libc6-dev:arm64");
}

// The toolchain is checked first, then dpkg-buildpackage builds for the
// host arch with the cross and nocheck profiles.
TEST(Build, HostCrossBuildChecksTheToolchainThenBuildsForTheHostArch) {
  CrossDir d;
  std::string log;
  BuildResult r = Build(CrossDir::Arm64(), d.tree.string(), d.config, d.runner,
                        [&](std::string_view s) { log += s; });
  ASSERT_TRUE(r.result.ok()) << r.result.detail;
  EXPECT_EQ(r.changes, (d.dir / "hello-cbit_1.0-2_arm64.changes").string());
  EXPECT_EQ(
      d.runner.Argvs(),
      (std::vector<Argv>{{"dpkg-checkbuilddeps", "-aarm64", "-d",
                          "crossbuild-essential-arm64:native, libc6-dev:arm64"},
                         {"dpkg-buildpackage", "-us", "-uc", "-B", "-aarm64", "-Pcross,nocheck"}}));
  for (const auto& c : d.runner.commands) EXPECT_EQ(c.cwd, d.tree.string());
  EXPECT_NE(log.find("cross-building for arm64 on amd64\n"), std::string::npos) << log;
}

TEST(Build, HostCrossMasterBuildsEverythingForTheHostArch) {
  CrossDir d;
  JobSpec job = CrossDir::Arm64();
  job.master = true;
  ASSERT_TRUE(Build(job, d.tree.string(), d.config, d.runner, {}).result.ok());
  EXPECT_EQ(d.runner.commands.back().argv,
            (Argv{"dpkg-buildpackage", "-us", "-uc", "-F", "-aarm64", "-Pcross,nocheck"}));
}

TEST(Build, ANativeJobOfACrossClientIsBuiltAsBefore) {
  CrossDir d;
  ASSERT_TRUE(Build(TestJob(), d.tree.string(), d.config, d.runner, {}).result.ok());
  EXPECT_EQ(d.runner.Argvs(), (std::vector<Argv>{{"dpkg-buildpackage", "-us", "-uc", "-B"}}));
}

TEST(Build, AMissingCrossToolchainIsOfTheClassToolchainMissing) {
  CrossDir d;
  d.runner.respond = [](const Command& c) {
    CommandResult r{.exit_code = 0};
    if (c.argv[0] == "dpkg-checkbuilddeps") {
      r.exit_code = 1;
      r.output =
          "dpkg-checkbuilddeps: error: Unmet build dependencies: crossbuild-essential-arm64:native "
          "libc6-dev:arm64\n";
    }
    return r;
  };
  BuildResult r = Build(CrossDir::Arm64(), d.tree.string(), d.config, d.runner, {});
  EXPECT_EQ(r.result.outcome, Outcome::kInfrastructureFailed);
  EXPECT_EQ(r.result.failure, FailureClass::kToolchainMissing);
  EXPECT_EQ(r.result.detail,
            "no cross toolchain for arm64 on amd64 (Unmet build dependencies: "
            "crossbuild-essential-arm64:native libc6-dev:arm64; install crossbuild-essential-arm64 "
            "and, after dpkg --add-architecture arm64, libc6-dev:arm64)");
  EXPECT_EQ(d.runner.commands.size(), 1u);  // dpkg-buildpackage never ran
}

// A request for an arch the client neither builds nor cross-builds (one
// routed to a queue it should not be in) is refused before any command.
TEST(Build, AJobOfAnArchTheClientDoesNotServeIsRefused) {
  CrossDir d;
  JobSpec job = TestJob();
  job.arch = "armhf";
  BuildResult r = Build(job, d.tree.string(), d.config, d.runner, {});
  EXPECT_EQ(r.result.outcome, Outcome::kInfrastructureFailed);
  EXPECT_EQ(r.result.failure, FailureClass::kNone);  // class infrastructure: not retried
  EXPECT_EQ(r.result.detail, "refused: this client builds amd64, arm64 (cross), not armhf");
  EXPECT_TRUE(d.runner.commands.empty());
}

TEST(Build, SbuildCrossBuildsInTheBuildArchsChrootForTheHostArch) {
  CrossDir d;
  std::string chroots = (d.dir / "chroots").string();
  fs::create_directories(chroots);
  std::ofstream(chroots + "/bookworm-amd64.tar");  // no bookworm-arm64.tar: not needed
  d.config.kind = BuilderKind::kSbuildUnshare;
  d.config.chroot_dir = chroots;
  BuildResult r = Build(CrossDir::Arm64(), d.tree.string(), d.config, d.runner, {});
  ASSERT_TRUE(r.result.ok()) << r.result.detail;
  std::string dir = d.dir.string();
  EXPECT_EQ(d.runner.commands[1].argv,
            (Argv{"sbuild", "--chroot-mode=unshare", "--chroot=" + chroots + "/bookworm-amd64.tar",
                  "--dist=bookworm", "--build=amd64", "--host=arm64", "--profiles=cross,nocheck",
                  "--nolog", "--no-run-lintian", "--no-run-autopkgtest", "--build-dir=" + dir,
                  "--no-arch-all", dir + "/hello-cbit_1.0-2.dsc"}));
  EXPECT_EQ(r.changes, dir + "/hello-cbit_1.0-2_arm64.changes");

  d.runner.commands.clear();
  d.config.kind = BuilderKind::kSbuildSchroot;
  ASSERT_TRUE(Build(CrossDir::Arm64(), d.tree.string(), d.config, d.runner, {}).result.ok());
  EXPECT_EQ(d.runner.commands[1].argv,
            (Argv{"sbuild", "--chroot-mode=schroot", "--chroot=bookworm", "--dist=bookworm",
                  "--build=amd64", "--host=arm64", "--profiles=cross,nocheck", "--nolog",
                  "--no-run-lintian", "--no-run-autopkgtest", "--build-dir=" + dir, "--no-arch-all",
                  dir + "/hello-cbit_1.0-2.dsc"}));
}

// An isolated client on amd64 that cross-builds for arm64 in its amd64
// root; `arch` and `installed` make that root's dpkg (nothing: no arm64).
struct IsolatedCrossDir : CrossDir {
  fs::path root = dir / "roots/bookworm-amd64/g-1";

  explicit IsolatedCrossDir(const std::string& arch = "amd64\narm64\n",
                            const std::vector<std::string>& installed = {
                                "crossbuild-essential-arm64", "libc6-dev:arm64"}) {
    config.kind = BuilderKind::kIsolated;
    config.roots_dir = (dir / "roots").string();
    fs::create_directories(root / "var/lib/dpkg/info");
    fs::create_directory_symlink("g-1", dir / "roots/bookworm-amd64/current");
    std::ofstream(root / "var/lib/dpkg/arch") << arch;
    for (const auto& p : installed) std::ofstream(root / "var/lib/dpkg/info" / (p + ".list"));
    config.root = root.string();
    runner.respond = [this](const Command& c) {
      if (c.argv[0] == "cbit-sandbox") {
        std::ofstream(dir / "hello-cbit_1.0-2_arm64.changes");
        std::ofstream(dir / "hello-cbit_1.0-2_amd64.changes");
      }
      return CommandResult{.exit_code = 0};
    };
  }
  // The words after the first "--": the steps inside the sandbox.
  Argv Steps() const {
    const Argv& argv = runner.commands.at(0).argv;
    return {std::find(argv.begin(), argv.end(), "--") + 1, argv.end()};
  }
};

// A cross job builds in the build arch's root: build-dependencies checked
// and installed for the host arch, dpkg-buildpackage with the host
// builder's flags.
TEST(Build, IsolatedCrossBuildsInTheBuildArchsRootForTheHostArch) {
  IsolatedCrossDir d;
  PinRoot(CrossDir::Arm64(), d.config);  // the amd64 root, though the job is arm64
  EXPECT_EQ(d.config.root, fs::canonical(d.root).string());
  BuildResult r = Build(CrossDir::Arm64(), d.tree.string(), d.config, d.runner, {});
  ASSERT_TRUE(r.result.ok()) << r.result.detail;
  EXPECT_EQ(r.changes, (d.dir / "hello-cbit_1.0-2_arm64.changes").string());
  ASSERT_EQ(d.runner.commands.size(), 1u);
  const Argv& argv = d.runner.commands[0].argv;
  EXPECT_EQ(*(std::find(argv.begin(), argv.end(), "--root") + 1), d.config.root);
  EXPECT_EQ(d.Steps(), (Argv{"dpkg-checkbuilddeps",
                             "-B",
                             "-aarm64",
                             "-Pcross,nocheck",
                             "--or",
                             "apt-get",
                             "-q",
                             "-y",
                             "build-dep",
                             "-a",
                             "arm64",
                             "-P",
                             "cross,nocheck",
                             "--arch-only",
                             "./",
                             "--and",
                             "dpkg-buildpackage",
                             "-us",
                             "-uc",
                             "-B",
                             "-aarm64",
                             "-Pcross,nocheck"}));

  d.runner.commands.clear();
  JobSpec master = CrossDir::Arm64();
  master.master = true;
  ASSERT_TRUE(Build(master, d.tree.string(), d.config, d.runner, {}).result.ok());
  EXPECT_EQ(d.Steps(), (Argv{"dpkg-checkbuilddeps",
                             "-aarm64",
                             "-Pcross,nocheck",
                             "--or",
                             "apt-get",
                             "-q",
                             "-y",
                             "build-dep",
                             "-a",
                             "arm64",
                             "-P",
                             "cross,nocheck",
                             "./",
                             "--and",
                             "dpkg-buildpackage",
                             "-us",
                             "-uc",
                             "-F",
                             "-aarm64",
                             "-Pcross,nocheck"}));

  // A native job of the same client: as before, in the same root.
  d.runner.commands.clear();
  ASSERT_TRUE(Build(TestJob(), d.tree.string(), d.config, d.runner, {}).result.ok());
  EXPECT_EQ(d.Steps(),
            (Argv{"dpkg-checkbuilddeps", "-B", "--or", "apt-get", "-q", "-y", "build-dep",
                  "--arch-only", "./", "--and", "dpkg-buildpackage", "-us", "-uc", "-B"}));
}

// A root without the arch, or without its toolchain, fails the job before
// the sandbox runs, naming the command that makes it able to.
TEST(Build, AnIsolatedCrossBuildInARootThatCannotIsToolchainMissing) {
  const std::string fix = "; cbit-client chroot create bookworm --arch amd64 --cross arm64)";
  IsolatedCrossDir no_arch("amd64\n");
  BuildResult r =
      Build(CrossDir::Arm64(), no_arch.tree.string(), no_arch.config, no_arch.runner, {});
  EXPECT_EQ(r.result.outcome, Outcome::kInfrastructureFailed);
  EXPECT_EQ(r.result.failure, FailureClass::kToolchainMissing);
  EXPECT_EQ(r.result.detail, "the root " + no_arch.root.string() +
                                 " cannot cross-build for arm64 (no foreign architecture arm64 "
                                 "in its dpkg" +
                                 fix);
  EXPECT_TRUE(no_arch.runner.commands.empty());

  IsolatedCrossDir no_toolchain("amd64\narm64\n", {"libc6-dev:arm64"});
  r = Build(CrossDir::Arm64(), no_toolchain.tree.string(), no_toolchain.config, no_toolchain.runner,
            {});
  EXPECT_EQ(r.result.failure, FailureClass::kToolchainMissing);
  EXPECT_NE(r.result.detail.find("(crossbuild-essential-arm64 is not installed" + fix),
            std::string::npos)
      << r.result.detail;
  EXPECT_TRUE(no_toolchain.runner.commands.empty());

  IsolatedCrossDir no_libc("amd64\narm64\n", {"crossbuild-essential-arm64"});
  EXPECT_EQ(CrossRootProblem(no_libc.root, "arm64"), "libc6-dev:arm64 is not installed");
  EXPECT_EQ(CrossRootProblem(no_toolchain.root, "armhf"),
            "no foreign architecture armhf in its dpkg");
  IsolatedCrossDir ready;
  EXPECT_EQ(CrossRootProblem(ready.root, "arm64"), std::nullopt);
  // A native job never asks.
  EXPECT_TRUE(
      Build(TestJob(), no_arch.tree.string(), no_arch.config, no_arch.runner, {}).result.ok());
}

}  // namespace cbit::client
