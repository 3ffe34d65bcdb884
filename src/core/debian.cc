#include "core/debian.h"

#include <apt-pkg/debversion.h>

#include <algorithm>
#include <cctype>
#include <limits>
#include <string>

namespace cbit::debian {
namespace {

bool LowerAlnum(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); }
bool Alnum(char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0; }

}  // namespace

bool IsPackageName(std::string_view s) {
  if (s.size() < 2 || s.size() > 128 || !LowerAlnum(s[0])) return false;
  return std::all_of(s.begin(), s.end(),
                     [](char c) { return LowerAlnum(c) || c == '+' || c == '-' || c == '.'; });
}

bool IsVersion(std::string_view s) {
  if (s.empty() || s.size() > 128) return false;
  std::string_view upstream = s;
  if (auto colon = s.find(':'); colon != std::string_view::npos) {
    std::string_view epoch = s.substr(0, colon);
    if (epoch.empty() || !std::all_of(epoch.begin(), epoch.end(), ::isdigit)) return false;
    // dpkg refuses an epoch beyond INT_MAX; apt would compare it overflowed.
    if (epoch.size() > 10 || std::stoll(std::string(epoch)) > std::numeric_limits<int>::max())
      return false;
    upstream = s.substr(colon + 1);
  }
  std::string_view revision;
  if (auto dash = upstream.rfind('-'); dash != std::string_view::npos) {
    revision = upstream.substr(dash + 1);
    upstream = upstream.substr(0, dash);
    if (revision.empty()) return false;
    bool ok = std::all_of(revision.begin(), revision.end(),
                          [](char c) { return Alnum(c) || c == '+' || c == '.' || c == '~'; });
    if (!ok) return false;
  }
  if (upstream.empty() || !std::isdigit(static_cast<unsigned char>(upstream[0]))) return false;
  bool has_revision = !revision.empty();
  // A colon can only stand in upstream after an epoch was split off; a hyphen
  // only when a revision follows.
  return std::all_of(upstream.begin(), upstream.end(), [&](char c) {
    return Alnum(c) || c == '.' || c == '+' || c == '~' || (c == '-' && has_revision) || c == ':';
  });
}

bool IsToken(std::string_view s) {
  if (s.empty() || s.size() > 64 || !Alnum(s[0])) return false;
  return std::all_of(s.begin(), s.end(), [](char c) {
    return Alnum(c) || c == '.' || c == '_' || c == '+' || c == '-';
  });
}

bool IsArch(std::string_view s) {
  if (s.empty() || s.size() > 32 || !LowerAlnum(s[0])) return false;
  return std::all_of(s.begin(), s.end(), [](char c) { return LowerAlnum(c) || c == '-'; });
}

int CompareVersions(std::string_view a, std::string_view b) {
  return debVS.CmpVersion(std::string(a), std::string(b));
}

}  // namespace cbit::debian
