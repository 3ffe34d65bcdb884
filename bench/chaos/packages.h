// The packages a fault-injection run builds: one git repository holding one
// commit per package, each a tiny native arch:all package whose build is
// dpkg-buildpackage's own work only (no debhelper), so a run spends its time
// on the farm rather than on compilers.
#pragma once

#include <string>
#include <vector>

namespace cbit::chaos {

struct ChaosPackage {
  std::string name;    ///< chaos-<n>
  std::string commit;  ///< the commit whose tree is this package
};

/// Creates the repository at `path` (with `git fast-import`, one process for
/// every commit) holding `count` packages, version 1.0 for `suite`.
std::vector<ChaosPackage> MakePackageRepository(const std::string& path, int count,
                                                const std::string& suite);

}  // namespace cbit::chaos
