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
bool Digit(char c) { return c >= '0' && c <= '9'; }
bool Alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

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

namespace {

// A fragment (epoch, upstream, revision) compares as runs of non-digits,
// character by character ('~' before the end of the run, the end before
// letters, letters before the rest), each followed by a number. A run
// becomes its characters mapped into that order, '#' for its end, then the
// number as two digits of length and its digits without leading zeros; the
// fragment ends with another '#', which a longer fragment's next character
// ('~' below it, any other above) decides against.
void AppendFragment(std::string_view s, std::string& out) {
  std::size_t i = 0;
  do {
    for (; i < s.size() && !Digit(s[i]); ++i) {
      const char c = s[i];
      if (c == '~') {
        out += '!';
      } else if (Alpha(c)) {
        out += c;
      } else {
        // '+' '-' '.' keep their order above every letter; ':' and anything
        // else last.
        out += c == '+' ? '{' : c == '-' ? '|' : c == '.' ? '}' : '~';
      }
    }
    out += '#';
    for (; i < s.size() && s[i] == '0'; ++i) {
    }
    const std::size_t start = i;
    for (; i < s.size() && Digit(s[i]); ++i) {
    }
    const std::size_t length = std::min<std::size_t>(i - start, 99);
    out += static_cast<char>('0' + length / 10);
    out += static_cast<char>('0' + length % 10);
    out += s.substr(start, length);
  } while (i < s.size());
  out += '#';
}

}  // namespace

std::string VersionSortKey(std::string_view version) {
  std::string_view epoch = "0", rest = version;
  if (auto colon = version.find(':'); colon != std::string_view::npos) {
    epoch = version.substr(0, colon);
    rest = version.substr(colon + 1);
  }
  // No revision compares as revision 0; an upstream version may hold '-'.
  std::string_view upstream = rest, revision = "0";
  if (auto dash = rest.rfind('-'); dash != std::string_view::npos && dash > 0) {
    upstream = rest.substr(0, dash);
    revision = rest.substr(dash + 1);
  }
  std::string key;
  key.reserve(version.size() * 2 + 16);
  AppendFragment(epoch, key);
  AppendFragment(upstream, key);
  AppendFragment(revision, key);
  return key;
}

}  // namespace cbit::debian
