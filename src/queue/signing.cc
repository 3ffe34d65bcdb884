#include "queue/signing.h"

#include <sodium.h>

#include <stdexcept>

namespace cbit::queue {
namespace {

void InitSodium() {
  if (sodium_init() < 0) throw std::runtime_error("libsodium cannot be initialised");
}

std::string ToBase64(const unsigned char* data, std::size_t n) {
  std::string out(sodium_base64_encoded_len(n, sodium_base64_VARIANT_ORIGINAL), '\0');
  sodium_bin2base64(out.data(), out.size(), data, n, sodium_base64_VARIANT_ORIGINAL);
  out.resize(out.size() - 1);  // the terminating NUL
  return out;
}

// Exactly `n` bytes from base64, or throws std::invalid_argument.
std::string FromBase64(const std::string& b64, std::size_t n, const char* what) {
  InitSodium();
  std::string out(n, '\0');
  std::size_t len = 0;
  const char* end = nullptr;
  if (sodium_base642bin(reinterpret_cast<unsigned char*>(out.data()), n, b64.data(), b64.size(),
                        nullptr, &len, &end, sodium_base64_VARIANT_ORIGINAL) != 0 ||
      len != n || end != b64.data() + b64.size())
    throw std::invalid_argument(std::string("not a base64 ") + what);
  return out;
}

std::string IdOfRaw(const std::string& raw_public) {
  unsigned char digest[crypto_generichash_BYTES];
  crypto_generichash(digest, sizeof digest,
                     reinterpret_cast<const unsigned char*>(raw_public.data()), raw_public.size(),
                     nullptr, 0);
  char hex[17];
  sodium_bin2hex(hex, sizeof hex, digest, 8);
  return hex;
}

}  // namespace

SigningKey NewSigningKey() {
  InitSodium();
  unsigned char pk[crypto_sign_PUBLICKEYBYTES], sk[crypto_sign_SECRETKEYBYTES];
  crypto_sign_keypair(pk, sk);
  SigningKey key{"", ToBase64(pk, sizeof pk), ToBase64(sk, sizeof sk)};
  sodium_memzero(sk, sizeof sk);
  key.id = KeyIdOf(key.public_key);
  return key;
}

std::string KeyIdOf(const std::string& public_key) {
  return IdOfRaw(FromBase64(public_key, crypto_sign_PUBLICKEYBYTES, "Ed25519 public key"));
}

std::string Sign(const SigningKey& key, std::string_view body) {
  std::string sk = FromBase64(key.secret_key, crypto_sign_SECRETKEYBYTES, "Ed25519 secret key");
  unsigned char sig[crypto_sign_BYTES];
  crypto_sign_detached(sig, nullptr, reinterpret_cast<const unsigned char*>(body.data()),
                       body.size(), reinterpret_cast<const unsigned char*>(sk.data()));
  sodium_memzero(sk.data(), sk.size());
  return key.id + ":" + ToBase64(sig, sizeof sig);
}

void Verifier::Add(const std::string& public_key) {
  std::string raw = FromBase64(public_key, crypto_sign_PUBLICKEYBYTES, "Ed25519 public key");
  keys_[IdOfRaw(raw)] = raw;
}

Verifier::Result Verifier::Check(std::string_view body, const std::string& header) const {
  if (header.empty()) return Result::kUnsigned;
  auto colon = header.find(':');
  if (colon == std::string::npos) return Result::kForged;
  auto key = keys_.find(header.substr(0, colon));
  if (key == keys_.end()) return Result::kUnknownKey;
  std::string sig;
  try {
    sig = FromBase64(header.substr(colon + 1), crypto_sign_BYTES, "signature");
  } catch (const std::invalid_argument&) {
    return Result::kForged;
  }
  bool ok =
      crypto_sign_verify_detached(reinterpret_cast<const unsigned char*>(sig.data()),
                                  reinterpret_cast<const unsigned char*>(body.data()), body.size(),
                                  reinterpret_cast<const unsigned char*>(key->second.data())) == 0;
  return ok ? Result::kValid : Result::kForged;
}

const char* Describe(Verifier::Result r) {
  switch (r) {
    case Verifier::Result::kValid:
      return "signed by the controller";
    case Verifier::Result::kUnsigned:
      return "not signed (no x-cbit-signature header)";
    case Verifier::Result::kUnknownKey:
      return "signed with a key the controller does not list";
    case Verifier::Result::kForged:
      return "its signature does not match its body";
  }
  return "?";
}

}  // namespace cbit::queue
