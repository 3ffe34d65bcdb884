// A private apt installation for tests: apt-get and dpkg work on a root
// directory of their own (its own sources.list, lists, cache and dpkg
// database), so a test installs packages from the farm's repository as a
// user would, without touching the machine's packages.
#pragma once

#include <string>

namespace cbit::testing {

class AptRoot {
 public:
  /// Creates the directory tree under `dir` with one sources.list line.
  AptRoot(std::string dir, const std::string& sources_line);

  /// `apt-get update` then `apt-get install -y <package>`; throws with apt's
  /// output when either fails.
  void Install(const std::string& package);
  /// The installed version of `package` per the private dpkg database, or
  /// "" when it is not installed.
  std::string InstalledVersion(const std::string& package) const;
  const std::string& dir() const { return dir_; }

 private:
  std::string dir_;
};

}  // namespace cbit::testing
