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

/// The root a job builds in: roots_dir/"{chroot}-{arch}"/current.
std::filesystem::path RootFor(const JobSpec& job, const BuildConfig& config);

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
