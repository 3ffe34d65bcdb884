// Did an upload get published? reprepro's processincoming exits 0 even when
// it skips an upload whose version it already has, so the watcher compares
// what the repository held before and after the run with what the .changes
// names: the exact source version (when the upload has the source) and each
// binary package for its architecture.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "core/changes_file.h"
#include "watcher/pool_check.h"
#include "watcher/reprepro.h"

namespace cbit::watcher {

/// One package version an upload should publish.
struct Expected {
  std::string arch;  ///< "source", "all" or an architecture
  std::string name;
  std::string version;  ///< source: the Version: field; binaries: from the file name (no epoch)
};

std::vector<Expected> ExpectedOf(const ChangesFile& changes);

/// True when `list` holds `e`. Binary versions are compared without epoch (a
/// file name has none); an arch:all package matches any architecture,
/// because reprepro lists it under every architecture of the codename unless
/// `all` is one of them.
bool Holds(const std::vector<Published>& list, const Expected& e);

struct Verdict {
  bool published = false;
  std::string message;    ///< one line for the job log and the watcher's log
  bool repeated = false;  ///< published before, by an upload of these very files
};

/// `left_in_incoming`: reprepro left the .changes where it was (it refused
/// the upload with an error). Published when it is gone and every expected
/// package is there afterwards. When all of them were there before already
/// (reprepro skipped the upload), `pool` is asked whether the repository
/// holds the upload's very files: then it counts as published (a repeated
/// upload), else it is a conflict and failed.
Verdict Judge(const ChangesFile& changes, const std::vector<Published>& before,
              const std::vector<Published>& after, bool left_in_incoming,
              const std::function<PoolCheck()>& pool);

/// The architecture part of "<source>_<version>_<arch>.changes" (dpkg-genchanges
/// and sbuild name it after the host arch, which is the job's arch); empty
/// when the name has another shape.
std::string ArchOfChangesName(const std::string& file_name);

/// The arch filter for the upload's job: ArchOfChangesName, except "source",
/// "all" and "multi" (names that are not a build host's arch) give "" (any).
std::string JobArchOf(const std::string& file_name);

}  // namespace cbit::watcher
