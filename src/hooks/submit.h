// What a hook sends to the controller: the fields of POST /job/vcshook, and
// the HTTP call that sends them (with deadlines).
#pragma once

#include <stdexcept>
#include <string>
#include <vector>

#include "hooks/hook_config.h"

namespace cbit::hooks {

/// The controller could not be reached or did not answer 2xx; the message
/// holds the reason and the controller's own message when it gave one.
struct SubmitError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

/// One POST /job/vcshook (docs/protocol.md).
struct HookSubmission {
  std::string package, version, suite, arch_list;
  std::string distribution, format;
  std::string method, uri, vcs_id;
  std::string directory;  ///< "" when the package is at the root of uri

  /// Form fields, in the order of docs/protocol.md; empty optional ones left out.
  std::vector<std::pair<std::string, std::string>> Fields() const;
  /// "hello 1.0 (suite bookworm, architectures any, git <uri> @ <vcs_id>)".
  std::string Describe() const;
};

/// Sends `s` with the config's URL, credentials and deadlines; returns the
/// controller's answer body. Throws SubmitError.
std::string Submit(const HookConfig& config, const HookSubmission& s);

}  // namespace cbit::hooks
