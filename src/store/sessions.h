// Dashboard sign-in sessions as the database keeps them: a digest of the
// cookie's secret (never the secret), the user signed in with the role (and
// a builder's client) they had then, and when the session ends. Kept in the
// database so that every controller on it knows them, a restart keeps them,
// and signing out ends one at once everywhere.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "store/db.h"

namespace cbit::store {

struct SessionRow {
  std::string user, role, client;
};

class Sessions {
 public:
  explicit Sessions(Database& db) : db_(db) {}

  /// Records a session (and drops the sessions that ended before `now_us`).
  void Add(const std::string& digest, const SessionRow& row, std::int64_t now_us,
           std::int64_t expires_us);
  /// The session with this digest, unless it ended by `now_us`.
  std::optional<SessionRow> Find(const std::string& digest, std::int64_t now_us);
  /// Ends the session with this digest; false when there was none.
  bool Remove(const std::string& digest);

 private:
  Database& db_;
};

}  // namespace cbit::store
