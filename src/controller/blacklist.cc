#include "controller/blacklist.h"

namespace cbit::controller {

BlacklistMatcher::BlacklistMatcher(const std::vector<Blacklist>& rules) {
  for (const auto& r : rules) {
    try {
      rules_.emplace_back(r, std::regex(r.regex, std::regex::ECMAScript));
    } catch (const std::regex_error&) {
      // Rules are validated when created; one stored before that is ignored.
    }
  }
}

std::optional<Blacklist> BlacklistMatcher::Match(const std::string& name,
                                                 const std::string& uri) const {
  for (const auto& [rule, re] : rules_) {
    const std::string& subject = rule.field == "name" ? name : uri;
    if (std::regex_search(subject, re, std::regex_constants::match_continuous)) return rule;
  }
  return std::nullopt;
}

std::optional<std::string> BlacklistMatcher::Validate(const std::string& field,
                                                      const std::string& regex) {
  if (field != "name" && field != "vcs_uri")
    return "field must be 'name' or 'vcs_uri', not '" + field + "'";
  if (regex.empty()) return "regex is empty";
  if (regex.size() > 1024) return "regex is longer than 1024 characters";
  try {
    std::regex re(regex, std::regex::ECMAScript);
  } catch (const std::regex_error& e) {
    return "regex '" + regex + "' does not compile: " + e.what();
  }
  return std::nullopt;
}

}  // namespace cbit::controller
