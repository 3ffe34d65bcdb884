#include "core/utf8.h"

namespace cbit::utf8 {
namespace {

constexpr std::string_view kReplacement = "\xEF\xBF\xBD";

// The length of the valid character at the start of `s`, or 0 when it is
// not one (including a sequence cut short by the end of `s`).
std::size_t CharLength(std::string_view s) {
  auto b = [&](std::size_t i) { return static_cast<unsigned char>(s[i]); };
  unsigned char c = b(0);
  if (c == 0) return 0;
  if (c < 0x80) return 1;
  std::size_t len;
  char32_t cp;
  if ((c & 0xe0) == 0xc0) {
    len = 2, cp = c & 0x1f;
  } else if ((c & 0xf0) == 0xe0) {
    len = 3, cp = c & 0x0f;
  } else if ((c & 0xf8) == 0xf0) {
    len = 4, cp = c & 0x07;
  } else {
    return 0;
  }
  if (s.size() < len) return 0;
  for (std::size_t i = 1; i < len; ++i) {
    if ((b(i) & 0xc0) != 0x80) return 0;
    cp = (cp << 6) | (b(i) & 0x3f);
  }
  static constexpr char32_t kMin[] = {0, 0, 0x80, 0x800, 0x10000};
  if (cp < kMin[len] || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return 0;
  return len;
}

}  // namespace

bool IsValid(std::string_view s) {
  for (std::size_t i = 0; i < s.size();) {
    std::size_t n = CharLength(s.substr(i));
    if (n == 0) return false;
    i += n;
  }
  return true;
}

std::size_t CompletePrefix(std::string_view s) {
  // A sequence is at most 4 bytes: only the last 3 can start a cut one.
  for (std::size_t back = 1; back <= 3 && back <= s.size(); ++back) {
    auto c = static_cast<unsigned char>(s[s.size() - back]);
    if ((c & 0xc0) == 0x80) continue;  // a continuation byte: look further back
    std::size_t need = (c & 0xe0) == 0xc0 ? 2 : (c & 0xf0) == 0xe0 ? 3 : (c & 0xf8) == 0xf0 ? 4 : 1;
    return need > back ? s.size() - back : s.size();
  }
  return s.size();
}

std::string Sanitize(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size();) {
    std::size_t n = CharLength(s.substr(i));
    if (n == 0) {
      out += kReplacement;
      ++i;
    } else {
      out.append(s.substr(i, n));
      i += n;
    }
  }
  return out;
}

}  // namespace cbit::utf8
