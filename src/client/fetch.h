// The CHECKOUT step: gets a job's source tree into the job's work directory
// by the transport's method (git, svn or apt), and the orig tarball beside it
// when the package is not native, as pyBit's client did.
#pragma once

#include <chrono>
#include <string>

#include "client/job_spec.h"
#include "client/outcome.h"
#include "client/runner.h"

namespace cbit::client {

struct FetchConfig {
  /// A sources.list with the deb-src lines `apt-get source` may use (the apt
  /// method and orig tarballs without debian/watch). apt runs with a private
  /// state under the work directory, never the system's.
  std::string apt_sources_list;
  /// The step's time limit, shared by every command it runs; zero: none.
  std::chrono::seconds timeout{0};
};

struct FetchResult {
  /// kInfrastructureFailed (class network, timeout, disk-full or
  /// infrastructure) or kCancelled when not ok
  StepResult result;
  std::string source_dir;  ///< the unpacked tree, when ok
};

/// Fetches `job` into `workdir` (which must exist). Refuses an invalid job
/// before any command runs.
FetchResult Fetch(const JobSpec& job, const std::string& workdir, const FetchConfig& config,
                  Runner& runner, const LogSink& sink, const CancelHook& cancel = {});

}  // namespace cbit::client
