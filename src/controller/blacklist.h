// Blacklist rules (docs/design.md, "Submission", step 1): a regular expression on the package name
// (field "name") or on the source URI (field "vcs_uri"). A rule matches as
// Python's re.match did in pyBit: anchored at the start, not at the end.
#pragma once

#include <optional>
#include <regex>
#include <string>
#include <vector>

#include "core/model.h"

namespace cbit::controller {

class BlacklistMatcher {
 public:
  /// Compiles every rule; a rule that no longer compiles is skipped.
  explicit BlacklistMatcher(const std::vector<Blacklist>& rules);
  /// The first rule that refuses this submission, if any.
  std::optional<Blacklist> Match(const std::string& name, const std::string& uri) const;

  /// Checks a new rule: empty when valid, else why not.
  static std::optional<std::string> Validate(const std::string& field, const std::string& regex);

 private:
  std::vector<std::pair<Blacklist, std::regex>> rules_;
};

}  // namespace cbit::controller
