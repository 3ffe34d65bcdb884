// The client's sbuild (unshare mode) builder and its uploader against the real
// tools: a chroot tarball made once by scripts/make-chroot.sh and a local
// dput incoming directory.
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>

#include "client/build.h"
#include "client/fetch.h"
#include "client/upload.h"
#include "core/changes_file.h"
#include "tests/support/debpkg.h"
#include "tests/support/fixture.h"

namespace cbit::client {
namespace {
namespace fs = std::filesystem;

// Builds the chroot tarball on first use; later runs reuse it (~30 s to make).
std::string ChrootDir(const std::string& arch) {
  std::string dir = std::string(CBIT_BINARY_DIR) + "/chroots";
  fs::create_directories(dir);
  cbit::testing::MustRun({std::string(CBIT_SOURCE_DIR) + "/scripts/make-chroot.sh", "bookworm",
                          arch, dir + "/bookworm-" + arch + ".tar"});
  return dir;
}

struct Fetched {
  JobSpec job;
  std::string work;
  std::string source_dir;
};

Fetched FetchFromGit(const std::string& what, const cbit::testing::PackageSpec& spec) {
  std::string scratch = cbit::testing::ScratchDir(what);
  auto repo = cbit::testing::MakeGitRepo(spec, scratch);
  Fetched f;
  f.job.package = spec.name;
  f.job.version = spec.version;
  f.job.suite = spec.suite;
  f.job.arch = cbit::testing::HostArch();
  f.job.dist = "debian";
  f.job.format = "deb";
  f.job.transport = {"git", repo.path, repo.commit};
  f.work = scratch + "/work";
  fs::create_directories(f.work);
  SubprocessRunner runner;
  FetchResult r = Fetch(f.job, f.work, {}, runner, {});
  if (!r.result.ok()) throw std::runtime_error("fetch failed: " + r.result.detail);
  f.source_dir = r.source_dir;
  return f;
}

}  // namespace

TEST(ClientSbuild, UnshareBuildsArchAnyInAChrootTarball) {
  cbit::testing::PackageSpec spec;
  Fetched f = FetchFromGit("client-sbuild", spec);
  BuildConfig config{BuilderKind::kSbuildUnshare, ChrootDir(f.job.arch)};
  std::string log;
  SubprocessRunner runner;
  BuildResult r = Build(f.job, f.source_dir, config, runner, [&](std::string_view s) { log += s; });
  ASSERT_TRUE(r.result.ok()) << r.result.detail << "\n" << log;
  EXPECT_NE(log.find("$ sbuild --chroot-mode=unshare"), std::string::npos);
  EXPECT_NE(log.find("Status: successful"), std::string::npos);
  auto changes = ReadChanges(r.changes);
  ASSERT_TRUE(changes);
  EXPECT_EQ(changes->architecture, f.job.arch);
  EXPECT_TRUE(fs::exists(f.work + "/hello-cbit_1.0_" + f.job.arch + ".deb"));
}

TEST(ClientSbuild, UnsatisfiableBuildDependencyIsADependencyWait) {
  cbit::testing::PackageSpec spec;
  spec.extra_build_depends = "cbit-no-such-package";
  Fetched f = FetchFromGit("client-sbuild-depwait", spec);
  BuildConfig config{BuilderKind::kSbuildUnshare, ChrootDir(f.job.arch)};
  std::string log;
  SubprocessRunner runner;
  BuildResult r = Build(f.job, f.source_dir, config, runner, [&](std::string_view s) { log += s; });
  EXPECT_EQ(r.result.outcome, Outcome::kDependencyWait) << log;
}

// A real sbuild cross build: the chroot of this machine's arch, which
// sbuild gives arm64 and crossbuild-essential-arm64 from the archive
// itself (--host=arm64); the program in the .deb is an arm64 one.
TEST(ClientSbuild, UnshareCrossBuildsACProgramForArm64) {
  const std::string arch = cbit::testing::kCrossArch;
  const std::string host = cbit::testing::HostArch();
  ASSERT_NE(host, arch) << "the cross-build test needs a machine of another arch";
  cbit::testing::PackageSpec spec;
  spec.name = "hello-cross";
  Fetched f = FetchFromGit("client-sbuild-cross", spec);
  f.job.arch = arch;
  BuildConfig config{BuilderKind::kSbuildUnshare, ChrootDir(host)};
  config.build_arch = host;
  config.cross_arches = {arch};
  config.timeout = std::chrono::minutes(15);
  std::string log;
  SubprocessRunner runner;
  BuildResult r = Build(f.job, f.source_dir, config, runner, [&](std::string_view s) { log += s; });
  ASSERT_TRUE(r.result.ok()) << r.result.detail << "\n" << log;
  EXPECT_NE(log.find("--chroot=" + config.chroot_dir + "/bookworm-" + host + ".tar"),
            std::string::npos)
      << log;
  EXPECT_NE(log.find(" --build=" + host + " --host=" + arch + " --profiles=cross,nocheck "),
            std::string::npos)
      << log;
  EXPECT_NE(log.find("crossbuild-essential-" + arch), std::string::npos) << log;
  EXPECT_NE(log.find("Status: successful"), std::string::npos);
  auto changes = ReadChanges(r.changes);
  ASSERT_TRUE(changes);
  EXPECT_EQ(changes->architecture, arch);
  std::string deb = f.work + "/hello-cross_1.0_" + arch + ".deb";
  ASSERT_TRUE(fs::exists(deb)) << log;
  EXPECT_EQ(cbit::testing::CheckBuiltFor(deb, spec.name, arch, f.work + "/.."), "");
}

TEST(ClientUpload, DputToALocalIncomingDirectoryThenRemoveTheUploadedFiles) {
  cbit::testing::PackageSpec spec;
  Fetched f = FetchFromGit("client-upload", spec);
  SubprocessRunner runner;
  std::string log;
  LogSink sink = [&](std::string_view s) { log += s; };
  BuildResult built = Build(f.job, f.source_dir, {}, runner, sink);
  ASSERT_TRUE(built.result.ok()) << built.result.detail << log;
  auto changes = ReadChanges(built.changes);
  ASSERT_TRUE(changes);

  std::string incoming = f.work + "/../incoming", dput_cf = f.work + "/../dput.cf";
  fs::create_directories(incoming);
  ASSERT_EQ(WriteLocalDputConfig(dput_cf, "local-test", incoming), std::nullopt);
  StepResult up = Upload(f.job, built.changes, {dput_cf, "local-test", ""}, runner, sink);
  ASSERT_TRUE(up.ok()) << up.detail << log;

  EXPECT_TRUE(fs::exists(incoming + "/" + fs::path(built.changes).filename().string()));
  EXPECT_FALSE(fs::exists(built.changes));
  for (const auto& name : changes->files) {
    EXPECT_TRUE(fs::exists(incoming + "/" + name)) << name;
    EXPECT_FALSE(fs::exists(f.work + "/" + name)) << name;
  }
  EXPECT_TRUE(fs::is_directory(f.source_dir));  // only the upload's files go
}

}  // namespace cbit::client
