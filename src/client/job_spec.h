// What the client's steps need to know about one job, taken from a
// BuildRequest, and the check that makes every field safe to put on a
// command line before any command runs.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/model.h"

namespace cbit::client {

/// One job as the fetch, build and upload steps see it.
struct JobSpec {
  std::string package;
  std::string version;
  std::string suite;
  std::string arch;
  std::string dist;
  std::string format;
  std::optional<std::string> build_env;
  bool master = false;  ///< builds source and arch:all too, not only arch:any
  Transport transport;  ///< method git | svn | apt, uri, vcs_id
  /// The BuildRequest's debian/rules targets, each "TARGET" or pyBit's
  /// "fakeroot debian/rules TARGET"; run before the build (build.h).
  std::vector<std::string> commands;

  /// The first field that is unsafe or malformed, described; nullopt when
  /// every field may be used as a command-line argument.
  std::optional<std::string> Validate() const;

  /// The chroot name pyBit used: "{build_env}-{suite}", or "{suite}".
  std::string ChrootName() const;
};

/// The job of a build request, unvalidated.
JobSpec JobSpecFrom(const BuildRequest& request);

}  // namespace cbit::client
