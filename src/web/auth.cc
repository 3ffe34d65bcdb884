#include "web/auth.h"

#include <sodium.h>

#include <algorithm>
#include <stdexcept>

#include "web/api_token.h"

namespace cbit::web {
namespace {

void InitSodium() {
  if (sodium_init() < 0) throw std::runtime_error("libsodium failed to initialise");
}

AuthResult Refused(std::string reason) {
  return {.kind = AuthResult::Kind::kRefused, .reason = std::move(reason)};
}

std::optional<std::string> DecodeBase64(const std::string& b64) {
  std::string decoded(b64.size(), '\0');
  std::size_t len = 0;
  if (sodium_base642bin(reinterpret_cast<unsigned char*>(decoded.data()), decoded.size(),
                        b64.data(), b64.size(), nullptr, &len, nullptr,
                        sodium_base64_VARIANT_ORIGINAL) != 0)
    return std::nullopt;
  decoded.resize(len);
  return decoded;
}

}  // namespace

const char* RoleName(Role r) {
  switch (r) {
    case Role::kAdmin:
      return "admin";
    case Role::kBuilder:
      return "builder";
    case Role::kWatcher:
      return "watcher";
    case Role::kSubmitter:
      return "submitter";
    case Role::kReader:
      return "reader";
  }
  return "";
}

std::optional<Role> ParseRole(std::string_view name) {
  for (Role r : kAllRoles)
    if (name == RoleName(r)) return r;
  return std::nullopt;
}

Authenticator::Authenticator(std::map<std::string, User> users, TokenLookup tokens,
                             AuthOptions opts)
    : users_(std::move(users)),
      tokens_(std::move(tokens)),
      per_address_(std::move(opts.per_address)),
      per_user_(std::move(opts.per_user)),
      hashing_(std::clamp<std::ptrdiff_t>(opts.concurrent_hashes, 1, 2)),
      verify_(std::move(opts.verify)) {
  InitSodium();
  randombytes_buf(key_, sizeof key_);
  // With the same cost as HashPassword's, so that checking an unknown
  // user's password takes as long as checking a known one's.
  unsigned char random[16];
  randombytes_buf(random, sizeof random);
  dummy_hash_ = HashPassword(std::string(reinterpret_cast<char*>(random), sizeof random));
}

AuthResult Authenticator::Authenticate(const std::string& header, const std::string& address) {
  if (header.empty()) return {};
  if (header.starts_with("Basic ")) return Basic(header, address);
  if (header.starts_with("Bearer ")) return Bearer(header.substr(7), address);
  return Refused("the Authorization header is neither Basic nor Bearer");
}

std::string Authenticator::HeaderDigest(const std::string& header) const {
  std::string digest(crypto_generichash_BYTES, '\0');
  crypto_generichash(reinterpret_cast<unsigned char*>(digest.data()), digest.size(),
                     reinterpret_cast<const unsigned char*>(header.data()), header.size(), key_,
                     sizeof key_);
  return digest;
}

// The 429 answer when the address (or the user, when given) has no failed
// sign-in left.
std::optional<AuthResult> Authenticator::Limited(const std::string& address,
                                                 const std::string* user) {
  AuthResult r{.kind = AuthResult::Kind::kLimited};
  if (auto wait = per_address_.RetryAfter(address); wait.count() > 0) {
    r.retry_after = wait;
    r.reason = "too many failed sign-ins from " + address;
  } else if (auto wait = user ? per_user_.RetryAfter(*user) : std::chrono::seconds(0);
             wait.count() > 0) {
    r.retry_after = wait;
    r.reason = "too many failed sign-ins for user " + *user;
  } else {
    return std::nullopt;
  }
  r.reason += "; retry after " + std::to_string(r.retry_after.count()) + " s";
  return r;
}

bool Authenticator::Verify(const std::string& hash, const std::string& password) {
  hashing_.acquire();
  bool ok = verify_ ? verify_(hash, password)
                    : crypto_pwhash_str_verify(hash.c_str(), password.data(), password.size()) == 0;
  hashing_.release();
  return ok;
}

AuthResult Authenticator::Basic(const std::string& header, const std::string& address) {
  auto decoded = DecodeBase64(header.substr(6));
  auto colon = decoded ? decoded->find(':') : std::string::npos;
  if (colon == std::string::npos) return Refused("malformed Basic credentials");
  std::string user = decoded->substr(0, colon);
  std::string password = decoded->substr(colon + 1);

  std::string digest = HeaderDigest(header);
  {
    std::lock_guard lock(mu_);
    if (auto it = verified_.find(digest); it != verified_.end())
      return {.kind = AuthResult::Kind::kOk, .principal = it->second};
  }
  if (auto limited = Limited(address, &user)) return *limited;
  auto it = users_.find(user);
  bool ok = Verify(it == users_.end() ? dummy_hash_ : it->second.hash, password);
  if (!ok || it == users_.end()) {
    per_address_.Take(address);
    per_user_.Take(user);
    return Refused("wrong user name or password");
  }
  Principal p{user, it->second.role, it->second.client, it->second.queues};
  std::lock_guard lock(mu_);
  if (verified_.size() > 4096) verified_.clear();  // bounded; re-verifying is only slow
  verified_.emplace(digest, p);
  return {.kind = AuthResult::Kind::kOk, .principal = std::move(p)};
}

AuthResult Authenticator::Bearer(const std::string& token, const std::string& address) {
  if (auto limited = Limited(address, nullptr)) return *limited;
  std::optional<Principal> p;
  if (LooksLikeToken(token) && tokens_) p = tokens_(TokenDigest(token));
  if (!p) {
    per_address_.Take(address);
    return Refused("unknown or revoked API token");
  }
  return {.kind = AuthResult::Kind::kOk, .principal = std::move(*p)};
}

std::string HashPassword(const std::string& password) {
  InitSodium();
  char out[crypto_pwhash_STRBYTES];
  if (crypto_pwhash_str(out, password.data(), password.size(), crypto_pwhash_OPSLIMIT_INTERACTIVE,
                        crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0)
    throw std::runtime_error("out of memory while hashing the password");
  return out;
}

}  // namespace cbit::web
