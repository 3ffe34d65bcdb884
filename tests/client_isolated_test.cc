// The isolated builder against the real thing: cbit-sandbox over a root made
// by `cbit-client chroot create` from scripts/make-chroot.sh's tarball (both
// made once per build directory and reused), packages from real git
// repositories, build-dependencies from the archive.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <ifaddrs.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <future>
#include <thread>

#include "client/build.h"
#include "client/fetch.h"
#include "tests/support/debpkg.h"
#include "tests/support/fixture.h"
#include "tests/support/processes.h"
#include "util/unique_fd.h"

namespace cbit::client {
namespace {
namespace fs = std::filesystem;
using cbit::testing::MustRun;
using cbit::testing::PackageKind;
using cbit::testing::PackageSpec;
using cbit::testing::ProcessesWith;

// The prepared roots, made on first use (make-chroot.sh, then chroot create;
// both take a lock, so test programs running side by side share them).
std::string RootsDir() {
  std::string arch = cbit::testing::HostArch();
  std::string bin = CBIT_BINARY_DIR;
  std::string tarball = bin + "/chroots/bookworm-" + arch + ".tar";
  MustRun({std::string(CBIT_SOURCE_DIR) + "/scripts/make-chroot.sh", "bookworm", arch, tarball});
  std::string roots = bin + "/roots";
  MustRun({bin + "/cbit-client", "chroot", "--roots-dir", roots, "create", "bookworm",
           "--from-tarball", tarball});
  return roots;
}

BuildConfig Isolated(const std::string& roots) {
  BuildConfig config;
  config.kind = BuilderKind::kIsolated;
  config.roots_dir = roots;
  config.sandbox = std::string(CBIT_BINARY_DIR) + "/cbit-sandbox";
  config.timeout = std::chrono::minutes(10);
  return config;
}

struct Built {
  BuildResult built;
  std::string log;
  std::string work;
};

// Fetches `spec` from a fresh git repository and builds it with `config`.
Built FetchAndBuild(const PackageSpec& spec, const BuildConfig& config, const std::string& what,
                    const std::function<void(const std::string&)>& before_build = {}) {
  std::string scratch = cbit::testing::ScratchDir(what);
  auto repo = cbit::testing::MakeGitRepo(spec, scratch);
  JobSpec job;
  job.package = spec.name;
  job.version = spec.version;
  job.suite = spec.suite;
  job.arch = cbit::testing::HostArch();
  job.dist = "debian";
  job.format = "deb";
  job.master = spec.kind == PackageKind::kArchAll;
  job.transport = {"git", repo.path, repo.commit};
  Built b;
  b.work = scratch + "/work";
  fs::create_directories(b.work);
  SubprocessRunner runner;
  LogSink sink = [&b](std::string_view s) { b.log += s; };
  FetchResult fetched = Fetch(job, b.work, {}, runner, sink);
  if (!fetched.result.ok()) throw std::runtime_error("fetch failed: " + b.log);
  if (before_build) before_build(b.work);
  b.built = Build(job, fetched.source_dir, config, runner, sink);
  return b;
}

// A non-loopback IPv4 address of this machine: reachable from the host's
// network namespace, not from a fresh one.
std::string HostAddress() {
  struct ifaddrs* list = nullptr;
  if (::getifaddrs(&list) != 0) return "";
  std::string found;
  for (auto* a = list; a != nullptr && found.empty(); a = a->ifa_next) {
    if (a->ifa_addr == nullptr || a->ifa_addr->sa_family != AF_INET) continue;
    char text[INET_ADDRSTRLEN];
    auto* in = reinterpret_cast<sockaddr_in*>(a->ifa_addr);
    ::inet_ntop(AF_INET, &in->sin_addr, text, sizeof text);
    if (std::string(text).rfind("127.", 0) != 0) found = text;
  }
  ::freeifaddrs(list);
  return found;
}

// A listening TCP socket on every address; its port in `port`.
UniqueFd Listen(int& port) {
  UniqueFd fd(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  socklen_t len = sizeof addr;
  if (::bind(fd.get(), reinterpret_cast<sockaddr*>(&addr), len) != 0 ||
      ::listen(fd.get(), 8) != 0 ||
      ::getsockname(fd.get(), reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    throw std::runtime_error("cannot listen");
  }
  port = ntohs(addr.sin_port);
  return fd;
}

class IsolatedBuild : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { roots_ = new std::string(RootsDir()); }
  static void TearDownTestSuite() { delete roots_; }
  static const std::string& roots() { return *roots_; }

 private:
  static std::string* roots_;
};
std::string* IsolatedBuild::roots_ = nullptr;

TEST_F(IsolatedBuild, ArchAllAndArchAnyBuild) {
  for (PackageKind kind : {PackageKind::kArchAll, PackageKind::kArchAny}) {
    PackageSpec spec;
    spec.kind = kind;
    Built b = FetchAndBuild(spec, Isolated(roots()), "iso-plain");
    ASSERT_TRUE(b.built.result.ok()) << b.built.result.detail << b.log;
    EXPECT_TRUE(fs::exists(b.built.changes)) << b.log;
    EXPECT_NE(b.log.find("cbit-sandbox --root " + roots() + "/bookworm-"), std::string::npos);
  }
}

TEST_F(IsolatedBuild, BuildDependencyNotOnTheHostIsInstalledInTheRoot) {
  ASSERT_FALSE(fs::exists("/usr/bin/dh-exec"))
      << "the test needs a build-dependency the host lacks";
  PackageSpec spec;
  spec.extra_build_depends = "dh-exec";
  spec.build_commands = {"test -x /usr/bin/dh-exec"};
  Built b = FetchAndBuild(spec, Isolated(roots()), "iso-deps");
  ASSERT_TRUE(b.built.result.ok()) << b.built.result.detail << b.log;
  EXPECT_NE(b.log.find("Setting up dh-exec"), std::string::npos) << b.log;
  EXPECT_FALSE(fs::exists("/usr/bin/dh-exec"));
}

TEST_F(IsolatedBuild, UnsatisfiableBuildDependencyIsADependencyWait) {
  PackageSpec spec;
  spec.extra_build_depends = "cbit-no-such-package";
  Built b = FetchAndBuild(spec, Isolated(roots()), "iso-depwait");
  EXPECT_EQ(b.built.result.outcome, Outcome::kDependencyWait) << b.built.result.detail << b.log;
}

// The control build on the host reads the file: the check can fail.
TEST_F(IsolatedBuild, CannotReadTheClientsConfigOrOtherHostFiles) {
  std::string secret = cbit::testing::ScratchDir("iso-secret") + "/client.conf";
  std::ofstream(secret) << "{\"token\": \"cbit-secret-token\"}\n";
  PackageSpec spec;
  spec.build_commands = {"test ! -e " + secret, "! grep -rqs cbit-secret-token /etc /root /home",
                         "test ! -e " + std::string(CBIT_SOURCE_DIR) + "/CMakeLists.txt"};
  Built isolated = FetchAndBuild(spec, Isolated(roots()), "iso-secret-build");
  EXPECT_TRUE(isolated.built.result.ok()) << isolated.built.result.detail << isolated.log;
  Built host = FetchAndBuild(spec, BuildConfig{}, "iso-secret-host");
  EXPECT_EQ(host.built.result.outcome, Outcome::kBuildFailed) << host.log;
}

// With build_network the same build reaches the listener: the check can fail.
TEST_F(IsolatedBuild, TheBuildHasNoNetwork) {
  std::string address = HostAddress();
  ASSERT_FALSE(address.empty()) << "no non-loopback address";
  int port = 0;
  UniqueFd listener = Listen(port);
  PackageSpec spec;
  spec.build_commands = {"! timeout 5 bash -c 'exec 3<>/dev/tcp/" + address + "/" +
                         std::to_string(port) + "'"};
  Built offline = FetchAndBuild(spec, Isolated(roots()), "iso-offline");
  EXPECT_TRUE(offline.built.result.ok()) << offline.built.result.detail << offline.log;
  BuildConfig online = Isolated(roots());
  online.build_network = true;
  Built connected = FetchAndBuild(spec, online, "iso-online");
  EXPECT_EQ(connected.built.result.outcome, Outcome::kBuildFailed) << connected.log;
}

TEST_F(IsolatedBuild, MissingRootFailsWithChrootMissing) {
  PackageSpec spec;
  Built b = FetchAndBuild(spec, Isolated(cbit::testing::ScratchDir("iso-no-roots")), "iso-missing");
  EXPECT_EQ(b.built.result.outcome, Outcome::kInfrastructureFailed);
  EXPECT_EQ(b.built.result.failure, FailureClass::kChrootMissing) << b.built.result.detail;
}

// A daemon started by the build (its own session, out of the build's
// process group) is gone when the build ends, and no mount is left; the
// control build on the host leaves it running (killed here).
TEST_F(IsolatedBuild, LeavesNoProcessOrMountBehind) {
  std::string marker = "3141." + std::to_string(::getpid()) + "7";
  PackageSpec spec;
  spec.build_commands = {"setsid sleep " + marker + " >/dev/null 2>&1 < /dev/null &"};
  Built b = FetchAndBuild(spec, Isolated(roots()), "iso-leftovers");
  ASSERT_TRUE(b.built.result.ok()) << b.built.result.detail << b.log;
  EXPECT_TRUE(ProcessesWith("sleep " + marker).empty());
  std::ifstream mounts("/proc/self/mountinfo");
  std::string all((std::istreambuf_iterator<char>(mounts)), std::istreambuf_iterator<char>());
  EXPECT_EQ(all.find(b.work), std::string::npos);
  EXPECT_EQ(all.find(roots()), std::string::npos);
  Built host = FetchAndBuild(spec, BuildConfig{}, "iso-leftovers-host");
  std::vector<int> left = ProcessesWith("sleep " + marker);
  EXPECT_FALSE(left.empty());
  for (int pid : left) ::kill(pid, SIGKILL);
}

// Two builds at once: neither sees the other's files, work directory or
// processes, though both run for the same seconds.
TEST_F(IsolatedBuild, ParallelBuildsDoNotSeeEachOther) {
  std::string scratch = cbit::testing::ScratchDir("iso-parallel");
  auto spec_for = [&](const std::string& self, const std::string& other) {
    PackageSpec spec;
    spec.name = self;
    spec.build_commands = {
        "touch /tmp/seen-" + self, "sleep 4", "test ! -e /tmp/seen-" + other,
        "! grep -qs " + other.substr(0, 3) + "[-]" + other.substr(4) + " /proc/[0-9]*/cmdline",
        "test $$(ls /build | wc -l) -le 2"};
    return spec;
  };
  auto start = std::chrono::steady_clock::now();
  auto a = std::async(std::launch::async, [&] {
    return FetchAndBuild(spec_for("iso-a", "iso-b"), Isolated(roots()), "iso-par-a");
  });
  auto b = std::async(std::launch::async, [&] {
    return FetchAndBuild(spec_for("iso-b", "iso-a"), Isolated(roots()), "iso-par-b");
  });
  Built ra = a.get(), rb = b.get();
  auto took = std::chrono::steady_clock::now() - start;
  EXPECT_TRUE(ra.built.result.ok()) << ra.built.result.detail << ra.log;
  EXPECT_TRUE(rb.built.result.ok()) << rb.built.result.detail << rb.log;
  // Each sleeps 4 s; sequential builds would need more than 8.
  EXPECT_LT(took, std::chrono::seconds(30));
}

// `chroot update` while a build runs in the root: the build keeps its
// generation and succeeds; the new one becomes current; the old one goes
// at the first sweep after the build let it go.
TEST_F(IsolatedBuild, UpdateDoesNotDisturbARunningBuild) {
  std::string arch = cbit::testing::HostArch();
  std::string roots = cbit::testing::ScratchDir("iso-update-roots");
  std::string cli = std::string(CBIT_BINARY_DIR) + "/cbit-client";
  MustRun({cli, "chroot", "--roots-dir", roots, "create", "bookworm", "--from-tarball",
           std::string(CBIT_BINARY_DIR) + "/chroots/bookworm-" + arch + ".tar"});
  std::string name = "bookworm-" + arch;
  fs::path before = fs::read_symlink(fs::path(roots) / name / "current");
  // The build waits while its work directory (/build inside) holds "hold".
  PackageSpec spec;
  spec.build_commands = {"while test -e /build/hold; do sleep 0.2; done"};
  std::promise<std::string> work_dir;
  auto build = std::async(std::launch::async, [&] {
    return FetchAndBuild(spec, Isolated(roots), "iso-update-build", [&](const std::string& work) {
      std::ofstream(work + "/hold") << "";
      work_dir.set_value(work);
    });
  });
  std::string work = work_dir.get_future().get();
  // Until the sandbox holds the root, a sweep could remove it.
  for (int i = 0; i < 300 && ProcessesWith("cbit-sandbox --root " + roots).empty(); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  MustRun({cli, "chroot", "--roots-dir", roots, "update", name});
  fs::path after = fs::read_symlink(fs::path(roots) / name / "current");
  EXPECT_NE(before, after);
  EXPECT_TRUE(fs::exists(fs::path(roots) / name / before)) << "removed under a running build";
  fs::remove(work + "/hold");
  Built b = build.get();
  EXPECT_TRUE(b.built.result.ok()) << b.built.result.detail << b.log;
  std::string list = MustRun({cli, "chroot", "--roots-dir", roots, "list"});
  EXPECT_NE(list.find(after.string()), std::string::npos) << list;
  MustRun({cli, "chroot", "--roots-dir", roots, "remove", name});
  EXPECT_FALSE(fs::exists(fs::path(roots) / name));
}

}  // namespace
}  // namespace cbit::client
