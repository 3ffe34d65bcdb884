#include "store/db.h"

#include <charconv>

namespace cbit::store {

const std::string& Result::text(std::size_t r, std::size_t c) const {
  const auto& v = cell(r, c);
  if (!v) throw DbError(DbErrorKind::kOther, "unexpected NULL in column " + std::to_string(c));
  return *v;
}

std::int64_t Result::i64(std::size_t r, std::size_t c) const {
  const std::string& s = text(r, c);
  std::int64_t v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || end != s.data() + s.size()) {
    throw DbError(DbErrorKind::kOther,
                  "column " + std::to_string(c) + " is not an integer: '" + s + "'");
  }
  return v;
}

std::optional<std::int64_t> Result::opt_i64(std::size_t r, std::size_t c) const {
  if (null(r, c)) return std::nullopt;
  return i64(r, c);
}

bool Result::boolean(std::size_t r, std::size_t c) const {
  const std::string& s = text(r, c);
  if (s == "t" || s == "1" || s == "true") return true;
  if (s == "f" || s == "0" || s == "false") return false;
  throw DbError(DbErrorKind::kOther,
                "column " + std::to_string(c) + " is not a boolean: '" + s + "'");
}

}  // namespace cbit::store
