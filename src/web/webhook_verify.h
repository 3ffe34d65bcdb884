// Forge webhook authentication: GitHub and Gitea sign the raw body with
// HMAC-SHA256 under a shared secret; GitLab sends the secret token itself.
// Every comparison is constant-time (libsodium).
#pragma once

#include <string>
#include <string_view>

namespace cbit::web {

/// Lower-case hex HMAC-SHA256 of `body` under `secret`.
std::string HmacSha256Hex(std::string_view secret, std::string_view body);

/// True when `hex` (either case) is the HMAC-SHA256 of `body` under `secret`.
bool VerifyHmacSha256Hex(std::string_view secret, std::string_view body, std::string_view hex);

/// True when `given` equals `expected`, in time independent of where they
/// differ (both are hashed first, so lengths need not match).
bool TokenEquals(std::string_view expected, std::string_view given);

}  // namespace cbit::web
