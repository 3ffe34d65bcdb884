// The names of the files a source package and its build produce, and what a
// source tree says about itself (native or not).
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace cbit::client {

/// "1:2.0-3" → "2.0-3": file names never carry the epoch.
std::string_view VersionWithoutEpoch(std::string_view version);

/// "1:2.0-3" → "2.0": the version of the orig tarball and of the directory
/// `dpkg-source -x` unpacks into.
std::string_view UpstreamVersion(std::string_view version);

/// "NAME_VERSION.dsc" (version without epoch).
std::string DscFileName(std::string_view package, std::string_view version);

/// True when the package needs an orig tarball: debian/source/format says
/// "quilt", or (without that file) the version has a Debian revision.
bool IsNonNative(const std::string& source_dir, std::string_view version);

/// The .changes file a build of NAME_VERSION left in `dir`: the one for
/// `arch` when present, else _source.changes, else the newest NAME_VERSION_*.
std::optional<std::string> FindChanges(const std::string& dir, std::string_view package,
                                       std::string_view version, std::string_view arch);

}  // namespace cbit::client
