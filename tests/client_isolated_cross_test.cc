// The isolated builder cross-building against the real thing: a root made
// by `cbit-client chroot create --cross arm64` from scripts/make-chroot.sh's
// tarball (made once per build directory, under roots-cross, and reused),
// the crossbuild-essential and libc6-dev of arm64 from the archive, and a C
// program built for arm64 in cbit-sandbox.
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <fstream>

#include "client/build.h"
#include "client/fetch.h"
#include "tests/support/debpkg.h"
#include "tests/support/fixture.h"

namespace cbit::client {
namespace {
namespace fs = std::filesystem;
using cbit::testing::MustRun;

std::string Tarball() {
  std::string arch = cbit::testing::HostArch();
  std::string tarball = std::string(CBIT_BINARY_DIR) + "/chroots/bookworm-" + arch + ".tar";
  MustRun({std::string(CBIT_SOURCE_DIR) + "/scripts/make-chroot.sh", "bookworm", arch, tarball});
  return tarball;
}

// Roots made on first use (chroot create takes a lock, so test programs
// running side by side share them); `cross`: with --cross, in roots-cross.
std::string RootsDir(bool cross) {
  std::string bin = CBIT_BINARY_DIR;
  std::string roots = bin + (cross ? "/roots-cross" : "/roots");
  std::vector<std::string> argv = {
      bin + "/cbit-client", "chroot",         "--roots-dir", roots, "create",
      "bookworm",           "--from-tarball", Tarball()};
  if (cross) argv.insert(argv.end(), {"--cross", cbit::testing::kCrossArch});
  MustRun(argv);
  return roots;
}

BuildConfig IsolatedCross(const std::string& roots) {
  BuildConfig config;
  config.kind = BuilderKind::kIsolated;
  config.roots_dir = roots;
  config.sandbox = std::string(CBIT_BINARY_DIR) + "/cbit-sandbox";
  config.timeout = std::chrono::minutes(10);
  config.build_arch = cbit::testing::HostArch();
  config.cross_arches = {cbit::testing::kCrossArch};
  return config;
}

std::string Slurp(const std::string& path) {
  std::ifstream in(path);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

struct Built {
  BuildResult built;
  std::string log;
  std::string work;
  std::string scratch;
};

// Fetches the C example from a fresh git repository and builds it for arm64.
Built BuildForArm64(const cbit::testing::PackageSpec& spec, const BuildConfig& config,
                    const std::string& what) {
  Built b;
  b.scratch = cbit::testing::ScratchDir(what);
  auto repo = cbit::testing::MakeGitRepo(spec, b.scratch);
  JobSpec job;
  job.package = spec.name;
  job.version = spec.version;
  job.suite = spec.suite;
  job.arch = cbit::testing::kCrossArch;
  job.dist = "debian";
  job.format = "deb";
  job.transport = {"git", repo.path, repo.commit};
  b.work = b.scratch + "/work";
  fs::create_directories(b.work);
  SubprocessRunner runner;
  LogSink sink = [&b](std::string_view s) { b.log += s; };
  FetchResult fetched = Fetch(job, b.work, {}, runner, sink);
  if (!fetched.result.ok()) throw std::runtime_error("fetch failed: " + b.log);
  b.built = Build(job, fetched.source_dir, config, runner, sink);
  return b;
}

}  // namespace

TEST(IsolatedCross, ARootMadeWithCrossBuildsACProgramForArm64) {
  const std::string arch = cbit::testing::kCrossArch;
  const std::string host = cbit::testing::HostArch();
  ASSERT_NE(host, arch) << "the cross-build test needs a machine of another arch";
  std::string roots = RootsDir(true);
  std::string list = MustRun(
      {std::string(CBIT_BINARY_DIR) + "/cbit-client", "chroot", "--roots-dir", roots, "list"});
  EXPECT_NE(list.find("bookworm-" + host + "\t"), std::string::npos) << list;
  EXPECT_NE(list.find("\tcross " + arch), std::string::npos) << list;

  cbit::testing::PackageSpec spec;
  spec.name = "hello-cross";
  Built b = BuildForArm64(spec, IsolatedCross(roots), "iso-cross");
  ASSERT_TRUE(b.built.result.ok()) << b.built.result.detail << b.log;
  EXPECT_NE(b.log.find("cbit-sandbox --root " + roots + "/bookworm-" + host + "/g-"),
            std::string::npos)
      << b.log;
  EXPECT_NE(b.log.find(" dpkg-buildpackage -us -uc -B -a" + arch + " -Pcross,nocheck"),
            std::string::npos)
      << b.log;
  EXPECT_EQ(b.built.changes, b.work + "/hello-cross_1.0_" + arch + ".changes");
  std::string changes = Slurp(b.built.changes);
  EXPECT_NE(changes.find("\nArchitecture: " + arch + "\n"), std::string::npos) << changes;
  std::string deb = b.work + "/hello-cross_1.0_" + arch + ".deb";
  ASSERT_TRUE(fs::exists(deb)) << b.log;
  EXPECT_EQ(cbit::testing::CheckBuiltFor(deb, spec.name, arch, b.scratch), "");
}

// The same job in a root made without --cross fails before it builds, with
// the class another client of the queue may not meet and the fix named.
TEST(IsolatedCross, ARootWithoutCrossIsToolchainMissing) {
  std::string roots = RootsDir(false);
  cbit::testing::PackageSpec spec;
  spec.name = "hello-cross";
  Built b = BuildForArm64(spec, IsolatedCross(roots), "iso-cross-missing");
  EXPECT_EQ(b.built.result.outcome, Outcome::kInfrastructureFailed) << b.log;
  EXPECT_EQ(b.built.result.failure, FailureClass::kToolchainMissing) << b.built.result.detail;
  EXPECT_NE(b.built.result.detail.find("no foreign architecture " +
                                       std::string(cbit::testing::kCrossArch)),
            std::string::npos)
      << b.built.result.detail;
  EXPECT_NE(b.built.result.detail.find("cbit-client chroot create bookworm --arch " +
                                       cbit::testing::HostArch() + " --cross " +
                                       cbit::testing::kCrossArch),
            std::string::npos)
      << b.built.result.detail;
  EXPECT_EQ(b.log.find("cbit-sandbox --root"), std::string::npos) << b.log;
}

}  // namespace cbit::client
