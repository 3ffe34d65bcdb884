// Dashboard sign-in (docs/protocol.md, "Sessions"): a session is a random
// secret in an HttpOnly, SameSite=Strict cookie; the database keeps its
// digest (store/sessions.h). A request that changes state and is
// authenticated by that cookie must also carry the session's CSRF token (a
// digest of the secret, which a page of another origin cannot read) and come
// from the controller's own origin. Requests with credentials of their own
// (Basic, Bearer) are refused when the browser says another site sent them:
// a browser replays cached Basic credentials as it does cookies.
#pragma once

#include <optional>
#include <string>

#include "httpd/message.h"

namespace cbit::web {

inline constexpr const char* kSessionCookie = "cbit_session";
inline constexpr const char* kCsrfHeader = "X-CSRF-Token";

/// The value of cookie `name` in a Cookie header ("" when absent).
std::string CookieValue(const std::string& header, const std::string& name);
/// The session secret a request's Cookie header carries ("" when none).
std::string SessionSecretOf(const httpd::Request& req);
/// The CSRF token of a session.
std::string CsrfTokenOf(const std::string& secret);
/// Set-Cookie for a session that lasts `seconds` (0: removes the cookie).
std::string SessionCookieHeader(const std::string& secret, long long seconds);

/// Why a request that changes state, authenticated by the session cookie,
/// is refused (CSRF token or origin); nullopt when it may go on.
std::optional<std::string> CookieActionRefusal(const httpd::Request& req,
                                               const std::string& secret);
/// Why a request that changes state with its own credentials is refused
/// because a browser says another site sent it; nullopt otherwise.
std::optional<std::string> CrossSiteRefusal(const httpd::Request& req);

}  // namespace cbit::web
