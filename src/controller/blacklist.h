// Blacklist rules (docs/design.md, "Submission", step 1): a regular expression on the package name
// (field "name") or on the source URI (field "vcs_uri"). A rule matches as
// Python's re.match did in pyBit: anchored at the start, not at the end.
// Rules are RE2 expressions, matched in time linear in the subject: a rule
// needing backtracking (backreferences, lookaround) is refused when added.
#pragma once

#include <re2/re2.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/model.h"

namespace cbit::controller {

class BlacklistMatcher {
 public:
  /// Compiles every rule; a stored rule that does not compile (one from
  /// before rules were RE2) is logged once and skipped.
  explicit BlacklistMatcher(const std::vector<Blacklist>& rules);
  /// The first rule that refuses this submission, if any.
  std::optional<Blacklist> Match(const std::string& name, const std::string& uri) const;

  /// Checks a new rule: empty when valid, else why not (naming the rule).
  static std::optional<std::string> Validate(const std::string& field, const std::string& regex);

 private:
  std::vector<std::pair<Blacklist, std::shared_ptr<const re2::RE2>>> rules_;
};

}  // namespace cbit::controller
