// Who a request comes from. HTTP Basic users (web.users: argon2id hashes) and
// API tokens (Authorization: Bearer, web/api_token.h) each prove a Principal:
// a name, a role, and for a builder the client it is bound to.
//
// argon2id is slow on purpose (~50 ms and 64 MiB a check), so:
//  - a Basic header that verified once is remembered by its keyed BLAKE2b
//    digest (key random per process): keep-alive clients pay the hash once;
//  - at most `concurrent_hashes` checks run at a time, bounding memory;
//  - failed sign-ins are limited per client address and per user name
//    (token buckets, web/rate_limit.h), refused before any hash is computed;
//  - an unknown user is checked against a dummy hash, so the answer takes as
//    long as a wrong password's and does not tell which names exist.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <semaphore>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "web/rate_limit.h"

namespace cbit::web {

enum class Role : std::uint8_t { kAdmin, kBuilder, kWatcher, kSubmitter, kReader };
inline constexpr Role kAllRoles[] = {Role::kAdmin, Role::kBuilder, Role::kWatcher, Role::kSubmitter,
                                     Role::kReader};
const char* RoleName(Role r);
std::optional<Role> ParseRole(std::string_view name);

/// Who a request is from.
struct Principal {
  std::string name;  ///< the user's or the token's
  Role role = Role::kReader;
  std::string client;               ///< builder: the client name it reports as
  std::vector<std::string> queues;  ///< builder: the queues it may claim from; empty: any
};

/// A web.users entry.
struct User {
  std::string hash;  ///< argon2id, as HashPassword() makes
  Role role = Role::kAdmin;
  std::string client;
  std::vector<std::string> queues;
};

/// The valid token whose digest (TokenDigest) this is, as a principal.
using TokenLookup = std::function<std::optional<Principal>(const std::string& digest)>;

/// What an Authorization header proves.
struct AuthResult {
  enum class Kind { kAnonymous, kOk, kRefused, kLimited };
  Kind kind = Kind::kAnonymous;
  Principal principal;                  ///< kOk
  std::string reason;                   ///< kRefused, kLimited: for the caller
  std::chrono::seconds retry_after{0};  ///< kLimited
};

struct AuthOptions {
  RateLimiter::Options per_address;      ///< failed sign-ins per client address
  RateLimiter::Options per_user;         ///< failed sign-ins per user name
  std::ptrdiff_t concurrent_hashes = 2;  ///< argon2id checks at a time: 1 or 2
  /// Checks a password against a hash; empty: libsodium's argon2id check.
  std::function<bool(const std::string& hash, const std::string& password)> verify;
};

class Authenticator {
 public:
  explicit Authenticator(std::map<std::string, User> users, TokenLookup tokens = {},
                         AuthOptions opts = {});

  /// `header`: the Authorization header ("" when absent); `address`: the
  /// client's address, for the rate limit.
  AuthResult Authenticate(const std::string& header, const std::string& address);

  bool has_users() const { return !users_.empty(); }

 private:
  AuthResult Basic(const std::string& header, const std::string& address);
  AuthResult Bearer(const std::string& token, const std::string& address);
  std::optional<AuthResult> Limited(const std::string& address, const std::string* user);
  bool Verify(const std::string& hash, const std::string& password);
  std::string HeaderDigest(const std::string& header) const;

  std::map<std::string, User> users_;
  TokenLookup tokens_;
  std::string dummy_hash_;
  RateLimiter per_address_, per_user_;
  std::counting_semaphore<2> hashing_;
  std::function<bool(const std::string&, const std::string&)> verify_;
  unsigned char key_[32];
  std::mutex mu_;
  std::unordered_map<std::string, Principal> verified_;  ///< by digest of the header
};

/// An argon2id hash string ("$argon2id$v=19$…") of a password.
std::string HashPassword(const std::string& password);

}  // namespace cbit::web
