#include "core/json_writer.h"

#include <charconv>

namespace cbit {

void JsonWriter::Key(std::string_view k) {
  Sep();
  Quoted(k);
  out_ += ": ";
  first_ = true;  // the value that follows takes no separator
}

void JsonWriter::String(std::string_view s) {
  Sep();
  Quoted(s);
}

void JsonWriter::Int(std::int64_t v) {
  Sep();
  char buf[24];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
  out_.append(buf, end);
}

void JsonWriter::Quoted(std::string_view s) {
  static constexpr char kHex[] = "0123456789abcdef";
  out_ += '"';
  // Runs of characters that need no escape (nearly all) go in one append.
  std::size_t run = 0;
  for (std::size_t i = 0; i < s.size(); ++i) {
    const auto u = static_cast<unsigned char>(s[i]);
    if (u >= 0x20 && u != '"' && u != '\\') continue;
    out_.append(s.data() + run, i - run);
    run = i + 1;
    switch (u) {
      case '"':
        out_ += "\\\"";
        break;
      case '\\':
        out_ += "\\\\";
        break;
      case '\n':
        out_ += "\\n";
        break;
      case '\r':
        out_ += "\\r";
        break;
      case '\t':
        out_ += "\\t";
        break;
      default:
        out_ += "\\u00";
        out_ += kHex[u >> 4];
        out_ += kHex[u & 15];
    }
  }
  out_.append(s.data() + run, s.size() - run);
  out_ += '"';
}

}  // namespace cbit
