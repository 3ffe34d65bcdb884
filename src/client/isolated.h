// The isolated builder: the build-dependencies and then dpkg-buildpackage
// in one cbit-sandbox run over the job's prepared root. The work directory
// is the only host directory the build sees (as /build), besides the shared
// apt archives; the build itself runs without network unless configured.
#pragma once

#include <filesystem>
#include <optional>
#include <string>

#include "client/build.h"
#include "client/deadline.h"

namespace cbit::client {

/// The arch of the root a job builds in: the job's, or for a cross build
/// (ModeFor) the build machine's.
std::string RootArch(const JobSpec& job, const BuildConfig& config);

/// The root a job builds in: roots_dir/"{chroot}-{RootArch}"/current.
std::filesystem::path RootFor(const JobSpec& job, const BuildConfig& config);

/// Why the root generation at `root` cannot cross-build for `arch` (no such
/// foreign architecture in its dpkg, or crossbuild-essential-ARCH or
/// libc6-dev:ARCH not installed: `cbit-client chroot create --cross`);
/// nullopt when it can.
std::optional<std::string> CrossRootProblem(const std::filesystem::path& root,
                                            const std::string& arch);

/// Resolves the job's `current` to its generation into config.root; leaves
/// it empty when there is none (the build then fails as chroot-missing).
void PinRoot(const JobSpec& job, BuildConfig& config);

/// The cbit-sandbox command that builds `tree` over `root` (resolved).
Command IsolatedCommand(const JobSpec& job, const std::filesystem::path& tree,
                        const std::string& root, const BuildConfig& config);

/// What a failed isolated build means: its set-up, its build-dependencies
/// (unsatisfiable: a dependency wait; not fetched: network) or the build.
StepResult ClassifyIsolated(const CommandResult& r);

/// Builds `tree`; nullopt when it built.
std::optional<StepResult> RunIsolated(const JobSpec& job, const std::filesystem::path& tree,
                                      const BuildConfig& config, const StepDeadline& deadline,
                                      Runner& runner, const LogSink& sink,
                                      const CancelHook& cancel);

}  // namespace cbit::client
