#include "httpd/query.h"

namespace cbit::httpd {
namespace {

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

std::string Decode(std::string_view text, bool plus_as_space, std::string_view what) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '%' && i + 2 < text.size()) {
      int hi = HexValue(text[i + 1]), lo = HexValue(text[i + 2]);
      if (hi >= 0 && lo >= 0) {
        c = static_cast<char>(hi * 16 + lo);
        i += 2;
      }
    } else if (c == '+' && plus_as_space) {
      c = ' ';
    }
    if (c == '\0') throw BadInput(std::string(what) + " holds a NUL byte (%00)");
    out.push_back(c);
  }
  return out;
}

void ParseQuery(std::string_view text, Params& out, std::string_view what) {
  while (!text.empty()) {
    std::size_t amp = text.find('&');
    std::string_view pair = text.substr(0, amp);
    text = amp == std::string_view::npos ? std::string_view() : text.substr(amp + 1);
    if (pair.empty()) continue;
    std::size_t eq = pair.find('=');
    std::string key = Decode(pair.substr(0, eq), true, what);
    std::string value =
        eq == std::string_view::npos ? std::string() : Decode(pair.substr(eq + 1), true, what);
    out.emplace(std::move(key), std::move(value));
  }
}

}  // namespace cbit::httpd
