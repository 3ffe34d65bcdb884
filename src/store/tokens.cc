#include "store/tokens.h"

#include <charconv>

namespace cbit::store {
namespace {

constexpr std::string_view kColumns =
    "id, name, digest, role, client, queues, created, last_used, revoked";

TokenRow RowAt(const Result& r, std::size_t i) {
  return {.id = r.i64(i, 0),
          .name = r.text(i, 1),
          .digest = r.text(i, 2),
          .role = r.text(i, 3),
          .client = r.text(i, 4),
          .queues = r.text(i, 5),
          .created_us = r.i64(i, 6),
          .last_used_us = r.opt_i64(i, 7),
          .revoked_us = r.opt_i64(i, 8)};
}

std::string Select(std::string_view where) {
  return "SELECT " + std::string(kColumns) + " FROM api_token " + std::string(where);
}

}  // namespace

TokenRow Tokens::Add(const TokenRow& row) {
  return InTransaction(db_, true, [&](Connection& c) {
    Result r = c.Exec(
        "INSERT INTO api_token (name, digest, role, client, queues, created) "
        "VALUES ($1, $2, $3, $4, $5, $6) RETURNING " +
            std::string(kColumns),
        {row.name, row.digest, row.role, row.client, row.queues, row.created_us});
    return RowAt(r, 0);
  });
}

std::vector<TokenRow> Tokens::List() {
  return InTransaction(db_, false, [&](Connection& c) {
    Result r = c.Exec(Select("ORDER BY id"));
    std::vector<TokenRow> out;
    for (std::size_t i = 0; i < r.rows(); ++i) out.push_back(RowAt(r, i));
    return out;
  });
}

int Tokens::Revoke(const std::string& name_or_id, std::int64_t now_us) {
  return InTransaction(db_, true, [&](Connection& c) {
    Result r =
        c.Exec("UPDATE api_token SET revoked = $1 WHERE revoked IS NULL AND name = $2 RETURNING id",
               {now_us, name_or_id});
    if (!r.empty()) return static_cast<int>(r.rows());
    Id id = 0;
    auto [p, ec] = std::from_chars(name_or_id.data(), name_or_id.data() + name_or_id.size(), id);
    if (ec != std::errc() || p != name_or_id.data() + name_or_id.size()) return 0;
    r = c.Exec("UPDATE api_token SET revoked = $1 WHERE revoked IS NULL AND id = $2 RETURNING id",
               {now_us, id});
    return static_cast<int>(r.rows());
  });
}

std::optional<TokenRow> Tokens::FindValid(const std::string& digest) {
  return InTransaction(db_, false, [&](Connection& c) -> std::optional<TokenRow> {
    Result r = c.Exec(Select("WHERE digest = $1 AND revoked IS NULL"), {digest});
    if (r.empty()) return std::nullopt;
    return RowAt(r, 0);
  });
}

void Tokens::Touch(Id id, std::int64_t now_us) {
  InTransaction(db_, true, [&](Connection& c) {
    c.Exec("UPDATE api_token SET last_used = $1 WHERE id = $2", {now_us, id});
  });
}

}  // namespace cbit::store
