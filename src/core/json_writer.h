// A small, fast JSON writer that appends to a string and keeps key order.
// Lists of thousands of jobs are written with it (nlohmann builds a DOM first,
// which costs ~5x more for GET /job); decoding uses nlohmann.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace cbit {

class JsonWriter {
 public:
  std::string& out() { return out_; }
  std::string Take() { return std::move(out_); }

  void BeginObject() {
    Sep();
    out_ += '{';
    first_ = true;
  }
  void EndObject() {
    out_ += '}';
    first_ = false;
  }
  void BeginArray() {
    Sep();
    out_ += '[';
    first_ = true;
  }
  void EndArray() {
    out_ += ']';
    first_ = false;
  }
  /// Writes `"k": ` (the value follows with the next call).
  void Key(std::string_view k);
  void String(std::string_view s);
  void Int(std::int64_t v);
  void Bool(bool v) {
    Sep();
    out_ += v ? "true" : "false";
  }
  void Null() {
    Sep();
    out_ += "null";
  }

 private:
  void Sep() {
    if (!first_) out_ += ", ";
    first_ = false;
  }
  void Quoted(std::string_view s);
  std::string out_;
  bool first_ = true;
};

}  // namespace cbit
