// A small reader of Debian .changes files (deb-changes(5)), signed or not:
// the client's uploader needs the list of files an upload consists of, the
// watcher what the upload should publish (source version, binaries per arch).
// ReadChanges is the one function of src/core that reads a file; it stays
// beside its parser.
#pragma once

#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace cbit {

struct ChangesFile {
  std::string source;
  std::string version;
  std::string distribution;
  std::string architecture;           ///< "source amd64 all": what the upload holds
  std::vector<std::string> binaries;  ///< the Binary: field, split on blanks
  /// Every file named in Files:, Checksums-Sha1: or Checksums-Sha256:, once,
  /// in order of first appearance. Never contains a '/'.
  std::vector<std::string> files;
  /// File name → its Checksums-Sha256: digest (lower-case hex), for the
  /// files that line lists with a well-formed digest.
  std::map<std::string, std::string> sha256;
};

/// A binary package file named in an upload: <name>_<version>_<arch>.(u)deb.
/// `version` is as in the file name, without the epoch.
struct BinaryFile {
  std::string name, version, arch;
  bool operator==(const BinaryFile&) const = default;
};

/// The .deb and .udeb files of `files`, split into their name parts; files
/// of other kinds (.dsc, .tar.*, .buildinfo) are skipped.
std::vector<BinaryFile> BinaryFilesOf(const std::vector<std::string>& files);

/// Parses `text`; nullopt when it has no Files: field or names a file with a
/// path (which would let a crafted .changes reach outside its directory).
std::optional<ChangesFile> ParseChanges(std::string_view text);

/// A .changes file lists files: a bigger one is refused unread (anyone who
/// can write to an incoming directory could otherwise fill the memory).
inline constexpr std::size_t kMaxChangesBytes = 4 << 20;

/// Reads and parses the file at `path`; nullopt when it cannot be read, is
/// larger than kMaxChangesBytes or does not parse.
std::optional<ChangesFile> ReadChanges(const std::string& path);

}  // namespace cbit
