#include "web/auth.h"

#include <sodium.h>

#include <stdexcept>

namespace cbit::web {
namespace {

void InitSodium() {
  if (sodium_init() < 0) throw std::runtime_error("libsodium failed to initialise");
}

}  // namespace

Authenticator::Authenticator(std::map<std::string, std::string> users) : users_(std::move(users)) {
  InitSodium();
  randombytes_buf(key_, sizeof key_);
}

std::optional<std::string> Authenticator::Check(const std::string& header) {
  constexpr std::string_view kBasic = "Basic ";
  if (header.size() <= kBasic.size() || header.compare(0, kBasic.size(), kBasic) != 0)
    return std::nullopt;
  std::string b64 = header.substr(kBasic.size());
  std::string decoded(b64.size(), '\0');
  std::size_t len = 0;
  if (sodium_base642bin(reinterpret_cast<unsigned char*>(decoded.data()), decoded.size(),
                        b64.data(), b64.size(), nullptr, &len, nullptr,
                        sodium_base64_VARIANT_ORIGINAL) != 0)
    return std::nullopt;
  decoded.resize(len);
  auto colon = decoded.find(':');
  if (colon == std::string::npos) return std::nullopt;
  std::string user = decoded.substr(0, colon);
  std::string password = decoded.substr(colon + 1);
  auto it = users_.find(user);
  if (it == users_.end()) return std::nullopt;

  std::string digest(crypto_generichash_BYTES, '\0');
  crypto_generichash(reinterpret_cast<unsigned char*>(digest.data()), digest.size(),
                     reinterpret_cast<const unsigned char*>(header.data()), header.size(), key_,
                     sizeof key_);
  {
    std::lock_guard lock(mu_);
    if (verified_.count(digest)) return user;
  }
  if (crypto_pwhash_str_verify(it->second.c_str(), password.data(), password.size()) != 0)
    return std::nullopt;
  std::lock_guard lock(mu_);
  if (verified_.size() > 4096) verified_.clear();  // bounded; re-verifying is only slow
  verified_.insert(digest);
  return user;
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
