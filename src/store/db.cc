#include "store/db.h"

#include <charconv>

namespace cbit::store {

Result::Result(std::size_t columns, const std::vector<std::optional<std::string>>& cells)
    : columns_(columns) {
  for (const auto& c : cells) {
    if (c) {
      Add(*c);
    } else {
      AddNull();
    }
  }
}

std::string_view Result::view(std::size_t r, std::size_t c) const {
  const Cell& v = cell(r, c);
  if (v.length < 0)
    throw DbError(DbErrorKind::kOther, "unexpected NULL in column " + std::to_string(c));
  return std::string_view(text_).substr(v.offset, static_cast<std::size_t>(v.length));
}

std::int64_t Result::i64(std::size_t r, std::size_t c) const {
  std::string_view s = view(r, c);
  std::int64_t v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || end != s.data() + s.size()) {
    throw DbError(DbErrorKind::kOther,
                  "column " + std::to_string(c) + " is not an integer: '" + std::string(s) + "'");
  }
  return v;
}

std::optional<std::int64_t> Result::opt_i64(std::size_t r, std::size_t c) const {
  if (null(r, c)) return std::nullopt;
  return i64(r, c);
}

bool Result::boolean(std::size_t r, std::size_t c) const {
  std::string_view s = view(r, c);
  if (s == "t" || s == "1" || s == "true") return true;
  if (s == "f" || s == "0" || s == "false") return false;
  throw DbError(DbErrorKind::kOther,
                "column " + std::to_string(c) + " is not a boolean: '" + std::string(s) + "'");
}

Transaction::~Transaction() {
  if (committed_) return;
  conn_->DropAfterCommit();
  try {
    conn_->Rollback();
  } catch (...) {
    lost_ = true;
  }
  if (lost_) conn_.Discard();
}

void Transaction::Commit() {
  conn_->Commit();
  committed_ = true;
  conn_->RunAfterCommit();
}

}  // namespace cbit::store
