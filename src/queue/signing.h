// Signed messages (docs/design.md, "Security model"). Every build client has
// a broker user that may publish to the exchange (it republishes its own
// requests for delayed retries), so a message's origin cannot rest on broker
// permissions: the controller signs each message it publishes with an Ed25519
// key (libsodium) and clients check the signature against the public keys
// the controller's API serves. The signature covers the body; a message a
// client saw may be replayed by it, which only repeats what the controller
// once asked for (claims and reports are checked by the controller anyway).
#pragma once

#include <map>
#include <string>
#include <string_view>

#include "queue/publisher.h"

namespace cbit::queue {

/// The AMQP header: "<key id>:<base64 signature>".
inline constexpr const char* kSignatureHeader = "x-cbit-signature";

struct SigningKey {
  std::string id;          ///< 16 hex digits naming the public key
  std::string public_key;  ///< base64 (32 bytes)
  std::string secret_key;  ///< base64 (64 bytes); empty in a verifier's copy
};

/// A fresh key pair. Throws std::runtime_error when libsodium cannot start.
SigningKey NewSigningKey();

/// The id of a base64 public key; throws std::invalid_argument when it is not one.
std::string KeyIdOf(const std::string& public_key);

/// The header value signing `body`; throws std::invalid_argument for a key
/// without a valid secret.
std::string Sign(const SigningKey& key, std::string_view body);

class Verifier {
 public:
  enum class Result { kValid, kUnsigned, kUnknownKey, kForged };

  /// Adds a public key (base64); throws std::invalid_argument when it is not one.
  void Add(const std::string& public_key);
  bool empty() const { return keys_.empty(); }
  /// Checks `header` (the kSignatureHeader value; empty: none) against `body`.
  Result Check(std::string_view body, const std::string& header) const;

 private:
  std::map<std::string, std::string> keys_;  ///< id → raw public key
};

const char* Describe(Verifier::Result r);

/// Signs every message before handing it to `inner` (the controller's
/// publisher); the rest is forwarded as is.
class SigningPublisher final : public Publisher {
 public:
  SigningPublisher(Publisher& inner, SigningKey key) : inner_(inner), key_(std::move(key)) {}
  void Publish(const Message& m) override { inner_.Publish(Signed(m)); }
  void PublishAsync(const Message& m, Done done) override {
    inner_.PublishAsync(Signed(m), std::move(done));
  }
  void Drain(std::chrono::steady_clock::time_point deadline) override { inner_.Drain(deadline); }
  bool QueueExists(const std::string& queue) override { return inner_.QueueExists(queue); }
  std::optional<std::uint32_t> QueueDepth(const std::string& queue) override {
    return inner_.QueueDepth(queue);
  }
  void Ping() override { inner_.Ping(); }

 private:
  Message Signed(const Message& m) const {
    Message out = m;
    out.text_headers[kSignatureHeader] = Sign(key_, m.body);
    return out;
  }

  Publisher& inner_;
  SigningKey key_;
};

}  // namespace cbit::queue
