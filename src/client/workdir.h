// Job work directories under the buildroot ("job-<id>"), and clean disks.
// A client holds an exclusive flock on the directory of the job it builds,
// so a client that dies (kill -9) leaves a directory nobody holds, and
// Sweep can tell it from one another client on the same buildroot builds in
// now. Directories are emptied and removed only while locked.
#pragma once

#include <optional>
#include <string>
#include <system_error>
#include <vector>

#include "core/model.h"
#include "util/unique_fd.h"

namespace cbit::client {

/// A work directory held by this process until destroyed.
class Workdir {
 public:
  /// Creates `path` if needed and locks it. nullopt when another process
  /// holds it (`ec` clear) or it cannot be made (`ec` set). Once locked the
  /// directory is emptied: whatever is in it was left by a dead client.
  static std::optional<Workdir> Acquire(const std::string& path, std::error_code& ec);

  /// The job's directory below `buildroot`: "job-<id>", or, while another
  /// live process holds that one (a silent client this one took the job
  /// over from), "job-<id>-<clientid>".
  static std::optional<Workdir> ForJob(const std::string& buildroot, Id id,
                                       const std::string& clientid, std::error_code& ec);

  /// Removes the directory and everything in it, then lets it go; the error
  /// is in `ec`.
  void Remove(std::error_code& ec);

  const std::string& path() const { return path_; }

 private:
  Workdir(std::string path, UniqueFd fd) : path_(std::move(path)), fd_(std::move(fd)) {}
  std::string path_;
  UniqueFd fd_;
};

/// Whether `name` is a work directory's name: "job-<digits>", optionally
/// followed by "-<clientid>".
bool IsWorkdirName(const std::string& name);

/// Removes every work directory below `buildroot` that no process holds
/// (left by a client that died or was stopped); returns their paths.
/// Directories held (the job being built, here or by another client on the
/// same buildroot) and other entries are left alone.
std::vector<std::string> SweepWorkdirs(const std::string& buildroot);

}  // namespace cbit::client
