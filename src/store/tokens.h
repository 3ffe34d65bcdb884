// API tokens as the database keeps them: a digest of the secret (never the
// secret), a name, a role and what the role is bound to, and when the token
// was made, last used and revoked. The store does not interpret roles;
// web/auth.h does.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/model.h"
#include "store/db.h"

namespace cbit::store {

struct TokenRow {
  Id id = 0;
  std::string name;
  std::string digest;  ///< hex digest of the secret
  std::string role;
  std::string client;  ///< bound client name; empty: none
  std::string queues;  ///< bound queues, space-separated; empty: any
  std::int64_t created_us = 0;
  std::optional<std::int64_t> last_used_us;
  std::optional<std::int64_t> revoked_us;
};

class Tokens {
 public:
  explicit Tokens(Database& db) : db_(db) {}

  /// Records a token; DbError kUnique when a valid token has this name.
  TokenRow Add(const TokenRow& row);
  /// Every token, revoked ones too, by id.
  std::vector<TokenRow> List();
  /// Revokes the valid token named `name_or_id` (a name, else an id);
  /// the tokens revoked (0 or 1).
  int Revoke(const std::string& name_or_id, std::int64_t now_us);
  /// The valid (not revoked) token with this digest.
  std::optional<TokenRow> FindValid(const std::string& digest);
  /// Records a use.
  void Touch(Id id, std::int64_t now_us);

 private:
  Database& db_;
};

}  // namespace cbit::store
