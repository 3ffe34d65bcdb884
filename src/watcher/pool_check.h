// Is an upload already in the repository, byte for byte? A build client
// killed between dput and its Done report builds and uploads the same
// version again; reprepro then skips the upload ("already there"), which is
// fine when the pool holds exactly the files the .changes names, and a real
// conflict when it holds other contents under the same names.
#pragma once

#include <string>
#include <vector>

#include "core/changes_file.h"
#include "watcher/reprepro.h"

namespace cbit::watcher {

struct PoolCheck {
  bool same = false;   ///< every file compared is in the pool with the .changes' SHA-256
  std::string detail;  ///< when not: the first file missing or different, and why
};

/// Compares each file of `changes` that reprepro keeps in its pool (all but
/// .buildinfo files) with the file of that name in the pool directories of
/// `listed` (what the repository holds of the upload's source).
PoolCheck CompareWithPool(const ChangesFile& changes, const std::vector<Published>& listed);

/// The SHA-256 of a file as lower-case hex; empty when it cannot be read.
std::string FileSha256(const std::string& path);

}  // namespace cbit::watcher
