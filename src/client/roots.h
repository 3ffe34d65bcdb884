// The isolated builder's prepared roots (`cbit-client chroot …`): one per
// chroot name and architecture, roots_dir/"{chroot}-{arch}", holding
// generations g-<time>-<pid> and the symlink `current` to the one builds
// use. An update makes a new generation and switches `current` with a
// rename, so a running build keeps the one it started on; a generation
// that is no longer current is removed once no sandbox holds it (each holds
// a shared flock on its root while it runs).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "client/runner.h"

namespace cbit::client {

struct RootsConfig {
  std::string roots_dir;
  std::string sandbox = "cbit-sandbox";
  /// Where the packages come from: empty, the first apt source of the suite.
  std::string mirror;
  /// A tarball to unpack instead of running mmdebstrap (scripts/make-chroot.sh).
  std::string tarball;
};

struct RootInfo {
  std::string name;                ///< "{chroot}-{arch}"
  std::string generation;          ///< the directory `current` names
  std::string created;             ///< from its .cbit-root, UTC
  int older = 0;                   ///< older generations still held by builds
  std::vector<std::string> cross;  ///< the archs it cross-builds for (its cross= lines)
};

/// `deb URI SUITE …` lines or deb822 stanzas: the first URI carrying `suite`.
std::optional<std::string> MirrorIn(const std::string& sources_text, const std::string& suite);

class Roots {
 public:
  Roots(RootsConfig config, Runner& runner, LogSink sink);

  /// Makes "{chroot}-{arch}" (mmdebstrap --variant=buildd, or the tarball)
  /// with fresh apt lists and, for each of `cross`, the foreign arch with
  /// crossbuild-essential-ARCH and libc6-dev:ARCH; false when it exists
  /// already with every arch of `cross` (left as it is). An existing root
  /// lacking some gets them in a new generation (a copy, as Update makes).
  /// Throws std::runtime_error naming the command that failed.
  bool Create(const std::string& chroot, const std::string& suite, const std::string& arch,
              const std::vector<std::string>& cross = {});
  /// A new generation: a copy of the current one, apt-get update and
  /// dist-upgrade; then the switch. Throws as Create.
  void Update(const std::string& name);
  std::vector<RootInfo> List() const;
  /// Drops `current` and every generation no build holds.
  void Remove(const std::string& name);
  /// Removes the generations of `name` that are not current and not held;
  /// returns how many.
  int Sweep(const std::string& name);

 private:
  void Run(const std::vector<std::string>& argv, const std::string& what);
  void Refresh(const std::string& generation, bool upgrade,
               const std::vector<std::string>& cross = {});
  void CopyCurrent(const std::string& name, const std::string& generation);
  void Switch(const std::string& name, const std::string& generation);
  std::string NewGeneration(const std::string& name) const;
  std::string TarballFor(const std::string& suite, const std::string& arch, const std::string& dir);

  RootsConfig config_;
  Runner& runner_;
  LogSink sink_;
};

}  // namespace cbit::client
