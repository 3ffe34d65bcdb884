// `cbit-web token add|list|revoke`: API tokens, managed on the controller's
// host directly in its configured database.
#pragma once

#include <iosfwd>
#include <string>
#include <vector>

#include "store/db.h"

namespace cbit::web {

struct TokenRequest {
  std::string name, role, client;
  std::vector<std::string> queues;
};

/// Checks the request (role known, a builder bound to a valid client name),
/// stores the token's digest and prints the token on `out` (only here, only
/// once). Returns the exit status; problems go to `err`.
int AddToken(store::Database& db, const TokenRequest& r, std::ostream& out, std::ostream& err);
/// One line per token, revoked ones too; never the secret.
int ListTokens(store::Database& db, std::ostream& out);
/// Revokes the valid token with this name (or id).
int RevokeToken(store::Database& db, const std::string& name_or_id, std::ostream& out,
                std::ostream& err);

}  // namespace cbit::web
