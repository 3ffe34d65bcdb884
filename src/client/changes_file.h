// A small reader of Debian .changes files (deb-changes(5)), signed or not:
// the uploader needs the list of files an upload consists of.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace cbit::client {

struct ChangesFile {
  std::string source;
  std::string version;
  std::string distribution;
  std::string architecture;
  /// Every file named in Files:, Checksums-Sha1: or Checksums-Sha256:, once,
  /// in order of first appearance. Never contains a '/'.
  std::vector<std::string> files;
};

/// Parses `text`; nullopt when it has no Files: field or names a file with a
/// path (which would let a crafted .changes reach outside its directory).
std::optional<ChangesFile> ParseChanges(std::string_view text);

/// Reads and parses the file at `path`.
std::optional<ChangesFile> ReadChanges(const std::string& path);

}  // namespace cbit::client
