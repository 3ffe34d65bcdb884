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
  for (char c : s) {
    auto u = static_cast<unsigned char>(c);
    switch (c) {
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
        if (u < 0x20) {
          out_ += "\\u00";
          out_ += kHex[u >> 4];
          out_ += kHex[u & 15];
        } else {
          out_ += c;
        }
    }
  }
  out_ += '"';
}

}  // namespace cbit
