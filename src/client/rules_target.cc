#include "client/rules_target.h"

#include <algorithm>

namespace cbit::client {
namespace {

bool IsAlnum(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

// No blank, quote or `;` `$` `|` for a shell (there is none, but a log line
// must read as what ran), no `=` (make would take a variable), no `/` (a
// file target elsewhere), no leading `-` (an option) or `.` (a special target).
bool IsTargetName(std::string_view s) {
  if (s.empty() || s.size() > 128) return false;
  if (!IsAlnum(s.front()) && s.front() != '_') return false;
  return std::all_of(s.begin(), s.end(), [](char c) {
    return IsAlnum(c) || c == '_' || c == '-' || c == '.' || c == '+';
  });
}

}  // namespace

std::optional<std::string> RulesTarget(std::string_view command) {
  constexpr std::string_view kPyBitForm = "fakeroot debian/rules ";
  if (command.starts_with(kPyBitForm)) command.remove_prefix(kPyBitForm.size());
  if (!IsTargetName(command)) return std::nullopt;
  return std::string(command);
}

}  // namespace cbit::client
