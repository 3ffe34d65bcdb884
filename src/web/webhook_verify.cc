#include "web/webhook_verify.h"

#include <sodium.h>

#include <stdexcept>

namespace cbit::web {
namespace {

void InitSodium() {
  if (sodium_init() < 0) throw std::runtime_error("libsodium failed to initialise");
}

using Mac = unsigned char[crypto_auth_hmacsha256_BYTES];

void ComputeMac(std::string_view secret, std::string_view body, Mac out) {
  InitSodium();
  crypto_auth_hmacsha256_state st;
  // Keys of any length: libsodium hashes long keys as RFC 2104 says.
  crypto_auth_hmacsha256_init(&st, reinterpret_cast<const unsigned char*>(secret.data()),
                              secret.size());
  crypto_auth_hmacsha256_update(&st, reinterpret_cast<const unsigned char*>(body.data()),
                                body.size());
  crypto_auth_hmacsha256_final(&st, out);
}

}  // namespace

std::string HmacSha256Hex(std::string_view secret, std::string_view body) {
  Mac mac;
  ComputeMac(secret, body, mac);
  std::string hex(2 * sizeof mac + 1, '\0');
  sodium_bin2hex(hex.data(), hex.size(), mac, sizeof mac);
  hex.pop_back();
  return hex;
}

bool VerifyHmacSha256Hex(std::string_view secret, std::string_view body, std::string_view hex) {
  Mac expected, given;
  std::size_t len = 0;
  const char* end = nullptr;
  InitSodium();
  if (sodium_hex2bin(given, sizeof given, hex.data(), hex.size(), nullptr, &len, &end) != 0 ||
      len != sizeof given || end != hex.data() + hex.size()) {
    return false;
  }
  ComputeMac(secret, body, expected);
  return sodium_memcmp(expected, given, sizeof given) == 0;
}

bool TokenEquals(std::string_view expected, std::string_view given) {
  InitSodium();
  unsigned char a[crypto_generichash_BYTES], b[crypto_generichash_BYTES];
  crypto_generichash(a, sizeof a, reinterpret_cast<const unsigned char*>(expected.data()),
                     expected.size(), nullptr, 0);
  crypto_generichash(b, sizeof b, reinterpret_cast<const unsigned char*>(given.data()),
                     given.size(), nullptr, 0);
  return sodium_memcmp(a, b, sizeof a) == 0;
}

}  // namespace cbit::web
