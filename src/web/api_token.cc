#include "web/api_token.h"

#include <sodium.h>

#include <stdexcept>

namespace cbit::web {
namespace {

constexpr std::size_t kSecretBytes = 32;
constexpr std::size_t kEncodedChars = 43;  // 32 bytes, base64url without padding

void InitSodium() {
  if (sodium_init() < 0) throw std::runtime_error("libsodium failed to initialise");
}

}  // namespace

std::string NewToken() {
  InitSodium();
  unsigned char secret[kSecretBytes];
  randombytes_buf(secret, sizeof secret);
  char b64[sodium_base64_ENCODED_LEN(kSecretBytes, sodium_base64_VARIANT_URLSAFE_NO_PADDING)];
  sodium_bin2base64(b64, sizeof b64, secret, sizeof secret,
                    sodium_base64_VARIANT_URLSAFE_NO_PADDING);
  sodium_memzero(secret, sizeof secret);
  return std::string(kTokenPrefix) + b64;
}

std::string TokenDigest(std::string_view token) {
  InitSodium();
  unsigned char digest[crypto_generichash_BYTES];
  crypto_generichash(digest, sizeof digest, reinterpret_cast<const unsigned char*>(token.data()),
                     token.size(), nullptr, 0);
  char hex[2 * sizeof digest + 1];
  sodium_bin2hex(hex, sizeof hex, digest, sizeof digest);
  return hex;
}

bool LooksLikeToken(std::string_view token) {
  if (!token.starts_with(kTokenPrefix) || token.size() != kTokenPrefix.size() + kEncodedChars)
    return false;
  for (char c : token.substr(kTokenPrefix.size()))
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_') return false;
  return true;
}

}  // namespace cbit::web
