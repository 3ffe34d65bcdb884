// The BUILD step: builds a fetched source tree on the host with
// dpkg-buildpackage, in a throw-away overlay of a prepared root
// (cbit-sandbox), or in a clean chroot with sbuild (unshare or schroot
// mode), and finds the .changes file the build produced.
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "client/job_spec.h"
#include "client/outcome.h"
#include "client/runner.h"

namespace cbit::client {

/// Which builder the client's configuration selects.
enum class BuilderKind {
  kHost,           ///< dpkg-buildpackage in the tree, with the host's packages
  kSbuildUnshare,  ///< sbuild --chroot-mode=unshare from a chroot tarball
  kSbuildSchroot,  ///< sbuild in the schroot named "{build_env}-{suite}" or "{suite}"
  kIsolated,       ///< cbit-sandbox: an overlay of the root "{chroot}-{arch}" in roots_dir
};

struct BuildConfig {
  BuilderKind kind = BuilderKind::kHost;
  /// Unshare mode: the directory holding "{chroot}-{arch}.tar" tarballs
  /// (scripts/make-chroot.sh makes them), chroot named as for schroot.
  std::string chroot_dir;
  /// Isolated: the prepared roots ("{chroot}-{arch}/current", made by
  /// `cbit-client chroot create`), the apt archives shared by every build,
  /// whether the build itself may reach the network, and the runner.
  std::string roots_dir = "/var/lib/cbit-client/roots";
  std::string apt_cache_dir;  ///< empty: roots_dir/apt-cache
  bool build_network = false;
  std::string sandbox = "cbit-sandbox";
  /// Isolated: the generation one build uses, resolved from `current` once
  /// (PinRoot) so that the sandbox and the attempt's provenance name the
  /// same one although an update may switch `current` in between; empty:
  /// `current` as it is when the sandbox starts.
  std::string root;
  /// The step's deadline, shared by every command it runs; zero: none.
  std::chrono::seconds timeout{0};
  /// The client's own architecture (host_arch in its config); empty: every
  /// job is built natively (as before cross builds existed).
  std::string build_arch;
  /// cross_arches: the architectures the client cross-builds for on
  /// build_arch (dpkg-buildpackage -a, sbuild --host; isolated: in the
  /// build_arch root made with `chroot create --cross`), never build_arch.
  std::vector<std::string> cross_arches;
};

/// How a client builds a job of `arch`: natively (its own arch, or "all"),
/// cross from build_arch (one of cross_arches), or not at all.
enum class ArchMode { kNative, kCross, kRefused };
ArchMode ModeFor(const std::string& arch, const BuildConfig& config);

/// The packages a cross build for `arch` needs on the build machine, as a
/// dpkg-checkbuilddeps -a<arch> dependency string.
std::string CrossToolchain(const std::string& arch);

struct BuildResult {
  StepResult result;
  std::string changes;  ///< the .changes file, when built
};

/// Builds the tree at `source_dir`; the results land in its parent directory.
/// A master job builds source, arch:all and arch:any; others arch:any only.
BuildResult Build(const JobSpec& job, const std::string& source_dir, const BuildConfig& config,
                  Runner& runner, const LogSink& sink, const CancelHook& cancel = {});

}  // namespace cbit::client
