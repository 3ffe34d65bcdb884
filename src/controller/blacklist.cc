#include "controller/blacklist.h"

#include <spdlog/spdlog.h>

#include <mutex>
#include <set>

namespace cbit::controller {
namespace {

std::shared_ptr<const re2::RE2> Compile(const std::string& regex) {
  re2::RE2::Options opts;
  opts.set_log_errors(false);
  return std::make_shared<const re2::RE2>(regex, opts);
}

// The matcher is rebuilt at every catalog reload: say so once per rule.
void ReportUnusable(const Blacklist& rule, const std::string& error) {
  static std::mutex mu;
  static std::set<Id> reported;
  std::lock_guard lock(mu);
  if (!reported.insert(rule.id).second) return;
  spdlog::error("blacklist rule {} ('{}') does not compile and is ignored: {}", rule.id, rule.regex,
                error);
}

}  // namespace

BlacklistMatcher::BlacklistMatcher(const std::vector<Blacklist>& rules) {
  for (const auto& r : rules) {
    auto re = Compile(r.regex);
    if (re->ok()) {
      rules_.emplace_back(r, std::move(re));
    } else {
      ReportUnusable(r, re->error());
    }
  }
}

std::optional<Blacklist> BlacklistMatcher::Match(const std::string& name,
                                                 const std::string& uri) const {
  for (const auto& [rule, re] : rules_) {
    const std::string& subject = rule.field == "name" ? name : uri;
    if (re->Match(subject, 0, subject.size(), re2::RE2::ANCHOR_START, nullptr, 0)) return rule;
  }
  return std::nullopt;
}

std::optional<std::string> BlacklistMatcher::Validate(const std::string& field,
                                                      const std::string& regex) {
  if (field != "name" && field != "vcs_uri")
    return "field must be 'name' or 'vcs_uri', not '" + field + "'";
  if (regex.empty()) return "regex is empty";
  if (regex.size() > 1024) return "regex is longer than 1024 characters";
  auto re = Compile(regex);
  if (!re->ok()) return "regex '" + regex + "' does not compile (RE2 syntax): " + re->error();
  return std::nullopt;
}

}  // namespace cbit::controller
