// API tokens looked up in the database at each request (no cache, so a
// revoked token is refused at once, by every controller of the database).
#pragma once

#include <string>
#include <vector>

#include "store/db.h"
#include "store/tokens.h"
#include "web/auth.h"

namespace cbit::web {

/// A TokenLookup over the api_token table of `db`, then the dashboard's
/// sessions (web_session, web/session.h); it records a token's last use at
/// most once a minute.
TokenLookup StoreTokenLookup(store::Database& db);

/// The principal a stored token stands for; nullopt for an unknown role.
std::optional<Principal> PrincipalOf(const store::TokenRow& row);

/// "a b c" → {"a", "b", "c"}; and back.
std::vector<std::string> SplitQueues(const std::string& text);
std::string JoinQueues(const std::vector<std::string>& queues);

}  // namespace cbit::web
