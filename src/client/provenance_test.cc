// A root's identity: its packages (the dpkg status file) digested, and when
// its generation was made; the .buildinfo found beside the .changes.
#include "client/provenance.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>

#include "client/fake_runner.h"
#include "client/isolated.h"
#include "testing/test_dir.h"

namespace cbit::client {
namespace {
namespace fs = std::filesystem;

void Write(const fs::path& path, const std::string& text) {
  fs::create_directories(path.parent_path());
  std::ofstream(path) << text;
}

TEST(Provenance, ARootIsItsPackagesDigestAndTheTimeItsGenerationWasMade) {
  testing::TestDir tmp;
  fs::path g = tmp.path() / "g-1";
  Write(g / "var/lib/dpkg/status", "Package: dpkg\nVersion: 1.21.22\n");
  Write(g / ".cbit-root", "suite=bookworm\ncreated=2026-12-01T10:00:00Z\n");
  auto id = IdentifyRoot(g);
  ASSERT_TRUE(id);
  // sha256 of the status file's bytes.
  EXPECT_EQ(id->first, "sha256:0df19b85b0fb71c9f798521cec787392cce7ac078b5fb0f9c20f0426df7ef7e9")
      << id->first;
  EXPECT_EQ(id->second, "2026-12-01T10:00:00Z");

  // An update: another package set, another digest, the update's time.
  Write(g / "var/lib/dpkg/status", "Package: dpkg\nVersion: 1.21.23\n");
  Write(g / ".cbit-root",
        "suite=bookworm\ncreated=2026-12-01T10:00:00Z\nupdated=2026-12-05T08:00:00Z\n");
  auto updated = IdentifyRoot(g);
  ASSERT_TRUE(updated);
  EXPECT_NE(updated->first, id->first);
  EXPECT_EQ(updated->second, "2026-12-05T08:00:00Z");

  EXPECT_FALSE(IdentifyRoot(tmp.path() / "none"));
}

TEST(Provenance, TheBuildinfoIsTheOneBesideTheChanges) {
  testing::TestDir tmp;
  Write(tmp.path() / "hello_1.0_amd64.changes", "Source: hello\n");
  EXPECT_FALSE(BuildinfoBeside((tmp.path() / "hello_1.0_amd64.changes").string()));
  Write(tmp.path() / "hello_1.0_amd64.buildinfo", "Format: 1.0\n");
  EXPECT_EQ(BuildinfoBeside((tmp.path() / "hello_1.0_amd64.changes").string()), "Format: 1.0\n");
  EXPECT_FALSE(BuildinfoBeside(""));
  Write(tmp.path() / "big_1.0_amd64.buildinfo", std::string((1 << 20) + 1, 'x'));
  EXPECT_FALSE(BuildinfoBeside((tmp.path() / "big_1.0_amd64.changes").string()));
}

// An update switches `current` between the attempt's provenance and the
// sandbox's start: both still name the generation the build was given.
TEST(Provenance, TheSandboxBuildsInTheGenerationTheProvenanceNames) {
  testing::TestDir tmp;
  fs::path roots = tmp.path() / "roots";
  fs::path dir = roots / "bookworm-amd64";
  Write(dir / "g-1/var/lib/dpkg/status", "Package: dpkg\nVersion: 1.21.22\n");
  Write(dir / "g-2/var/lib/dpkg/status", "Package: dpkg\nVersion: 1.21.23\n");
  fs::create_directory_symlink("g-1", dir / "current");
  JobSpec job;
  job.package = "hello";
  job.version = "1.0";
  job.suite = "bookworm";
  job.arch = "amd64";
  BuildConfig config;
  config.kind = BuilderKind::kIsolated;
  config.roots_dir = roots.string();

  PinRoot(job, config);
  AttemptProvenance p = ProvenanceBeforeBuild(job, config);
  fs::remove(dir / "current");
  fs::create_directory_symlink("g-2", dir / "current");
  FakeRunner runner;
  StepDeadline deadline(config.timeout, "build");
  RunIsolated(job, tmp.path() / "job-1/hello-1.0", config, deadline, runner, {}, {});

  EXPECT_EQ(p.root_digest, IdentifyRoot(dir / "g-1")->first);
  ASSERT_EQ(runner.commands.size(), 1u);
  const auto& argv = runner.commands[0].argv;
  auto root = std::find(argv.begin(), argv.end(), "--root");
  ASSERT_NE(root, argv.end());
  EXPECT_EQ(*(root + 1), fs::canonical(dir / "g-1").string());

  // Nothing to resolve: the build fails as chroot-missing, not in a stale root.
  BuildConfig none = config;
  none.roots_dir = (tmp.path() / "empty").string();
  PinRoot(job, none);
  EXPECT_EQ(none.root, "");
}

TEST(Provenance, TheBuilderIsNamedAsConfigured) {
  BuildConfig c;
  c.kind = BuilderKind::kIsolated;
  EXPECT_EQ(BuilderName(c).rfind("isolated (cbit-sandbox ", 0), 0u);
  c.kind = BuilderKind::kSbuildUnshare;
  EXPECT_EQ(BuilderName(c), "sbuild (unshare)");
}

// A cross build says so; a native job of the same client does not.
TEST(Provenance, ACrossBuildsBuilderNamesBothArchs) {
  BuildConfig c;
  c.build_arch = "amd64";
  c.cross_arches = {"arm64"};
  c.kind = BuilderKind::kHost;
  EXPECT_EQ(BuilderName(c, "arm64"), "host (dpkg-buildpackage), cross amd64 to arm64");
  EXPECT_EQ(BuilderName(c, "amd64"), "host (dpkg-buildpackage)");
  EXPECT_EQ(BuilderName(c, "all"), "host (dpkg-buildpackage)");
  c.kind = BuilderKind::kSbuildUnshare;
  EXPECT_EQ(BuilderName(c, "arm64"), "sbuild (unshare), cross amd64 to arm64");
  c.kind = BuilderKind::kIsolated;
  std::string isolated = BuilderName(c, "arm64");
  EXPECT_EQ(isolated.rfind("isolated (cbit-sandbox ", 0), 0u) << isolated;
  EXPECT_NE(isolated.find("), cross amd64 to arm64"), std::string::npos) << isolated;
  JobSpec job;
  job.package = "hello";
  job.version = "1.0";
  job.suite = "bookworm";
  job.arch = "arm64";
  EXPECT_EQ(ProvenanceBeforeBuild(job, c).builder, isolated);
}

}  // namespace
}  // namespace cbit::client
