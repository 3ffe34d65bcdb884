#include "store/sessions.h"

namespace cbit::store {

void Sessions::Add(const std::string& digest, const SessionRow& row, std::int64_t now_us,
                   std::int64_t expires_us) {
  InTransaction(db_, true, [&](Connection& c) {
    c.Exec("DELETE FROM web_session WHERE expires <= $1", {now_us});
    c.Exec(
        "INSERT INTO web_session (digest, user_name, role, client, created, expires)"
        " VALUES ($1, $2, $3, $4, $5, $6)",
        {digest, row.user, row.role, row.client, now_us, expires_us});
  });
}

std::optional<SessionRow> Sessions::Find(const std::string& digest, std::int64_t now_us) {
  return InTransaction(db_, false, [&](Connection& c) -> std::optional<SessionRow> {
    Result r =
        c.Exec("SELECT user_name, role, client FROM web_session WHERE digest = $1 AND expires > $2",
               {digest, now_us});
    if (r.empty()) return std::nullopt;
    return SessionRow{r.text(0, 0), r.text(0, 1), r.text(0, 2)};
  });
}

bool Sessions::Remove(const std::string& digest) {
  return InTransaction(db_, true, [&](Connection& c) {
    return !c.Exec("DELETE FROM web_session WHERE digest = $1 RETURNING id", {digest}).empty();
  });
}

}  // namespace cbit::store
