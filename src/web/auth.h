// HTTP Basic authentication against argon2id password hashes (libsodium).
//
// argon2id is slow on purpose (~50 ms a check), which a build farm posting
// thousands of submissions a second cannot pay per request: a header that
// verified once is remembered by its keyed BLAKE2b digest (key random per
// process), so a client on a keep-alive connection pays the hash once.
// Failed attempts are never cached: guessing still costs a full argon2id.
#pragma once

#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_set>

namespace cbit::web {

class Authenticator {
 public:
  /// `users`: name → hash as made by HashPassword().
  explicit Authenticator(std::map<std::string, std::string> users);

  /// The user an Authorization header proves, or nothing.
  std::optional<std::string> Check(const std::string& authorization_header);

  bool has_users() const { return !users_.empty(); }

 private:
  std::map<std::string, std::string> users_;
  unsigned char key_[32];
  std::mutex mu_;
  std::unordered_set<std::string> verified_;  ///< digests of headers that verified
};

/// An argon2id hash string ("$argon2id$v=19$…") of a password.
std::string HashPassword(const std::string& password);

}  // namespace cbit::web
