// API tokens: 32 random bytes from libsodium, base64url, after a prefix that
// says what they are (so secret scanners and people recognise one). A token
// has as much entropy as a key, so a plain BLAKE2b digest of it is what is
// stored and looked up: no slow password hash per request.
#pragma once

#include <string>
#include <string_view>

namespace cbit::web {

inline constexpr std::string_view kTokenPrefix = "cbit_";

/// A new secret token ("cbit_" + 43 base64url characters).
std::string NewToken();
/// The hex BLAKE2b-256 digest under which a token is stored.
std::string TokenDigest(std::string_view token);
/// True when `token` has the shape NewToken() makes.
bool LooksLikeToken(std::string_view token);

}  // namespace cbit::web
