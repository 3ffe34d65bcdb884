// Dashboard sign-in and sign-out (web/session.h): POST /session with a
// web.users name and password sets the session cookie; GET /session says who
// is signed in and the CSRF token a page sends with its actions.
#include <sodium.h>

#include "core/json_writer.h"
#include "store/sessions.h"
#include "util/clock.h"
#include "web/api_token.h"
#include "web/dashboard_routes.h"
#include "web/session.h"

namespace cbit::web {
namespace {

constexpr long long kSessionSeconds = 12LL * 3600;

std::string SessionJson(const store::SessionRow* s, const std::string& secret) {
  JsonWriter w;
  w.BeginObject();
  w.Key("user");
  s ? w.String(s->user) : w.Null();
  w.Key("role");
  s ? w.String(s->role) : w.Null();
  w.Key("csrf");
  s ? w.String(CsrfTokenOf(secret)) : w.Null();
  w.EndObject();
  return w.Take();
}

// Never cached, and never readable by another site's page.
void NoStore(Response& res) {
  res.set_header("Cache-Control", "no-store");
  res.set_header("Access-Control-Allow-Origin", "");
}

// The password is checked as a Basic header's is: the same failed sign-in
// limits, the same cost for an unknown user.
AuthResult CheckPassword(Authenticator& auth, const std::string& user, const std::string& password,
                         const std::string& address) {
  const std::string plain = user + ":" + password;
  std::string b64(sodium_base64_encoded_len(plain.size(), sodium_base64_VARIANT_ORIGINAL), '\0');
  sodium_bin2base64(b64.data(), b64.size(), reinterpret_cast<const unsigned char*>(plain.data()),
                    plain.size(), sodium_base64_VARIANT_ORIGINAL);
  b64.resize(b64.find('\0'));
  return auth.Authenticate("Basic " + b64, address);
}

void SignIn(Api& api, Authenticator& auth, const Request& req, Response& res) {
  // A sign-in another site's page makes would sign the browser in to the
  // attacker's account.
  if (auto refusal = CrossSiteRefusal(req)) throw HttpError(403, *refusal);
  std::vector<std::string> missing;
  Form form(req);
  const std::string user = form.Require("user", missing);
  const std::string password = form.Require("password", missing);
  Form::Check(missing);
  if (user.find(':') != std::string::npos) throw HttpError(401, "wrong user name or password");
  AuthResult a = CheckPassword(auth, user, password, req.remote_addr);
  if (a.kind == AuthResult::Kind::kLimited) {
    res.set_header("Retry-After", std::to_string(a.retry_after.count()));
    throw HttpError(429, a.reason);
  }
  if (a.kind != AuthResult::Kind::kOk) throw HttpError(401, a.reason);
  if (a.principal.role == Role::kBuilder)
    throw HttpError(403, "a builder does not sign in to the dashboard");
  const store::SessionRow row{a.principal.name, RoleName(a.principal.role), ""};
  const std::string secret = NewToken();
  const std::int64_t now = NowMicros();
  store::Sessions(api.store.db())
      .Add(TokenDigest(secret), row, now, now + kSessionSeconds * 1000000);
  res.set_header("Set-Cookie", SessionCookieHeader(secret, kSessionSeconds));
  NoStore(res);
  SendJson(res, SessionJson(&row, secret));
}

void Current(Api& api, const Request& req, Response& res) {
  const std::string secret = SessionSecretOf(req);
  std::optional<store::SessionRow> s;
  if (!secret.empty()) s = store::Sessions(api.store.db()).Find(TokenDigest(secret), NowMicros());
  NoStore(res);
  SendJson(res, SessionJson(s ? &*s : nullptr, secret));
}

void SignOut(Api& api, const Request& req, Response& res) {
  const std::string secret = SessionSecretOf(req);
  if (secret.empty()) throw HttpError(401, "not signed in: no session cookie");
  if (auto refusal = CookieActionRefusal(req, secret)) throw HttpError(403, *refusal);
  const bool ended = store::Sessions(api.store.db()).Remove(TokenDigest(secret));
  res.set_header("Set-Cookie", SessionCookieHeader("", 0));
  NoStore(res);
  SendJson(res, std::string("{\"signed_out\": ") + (ended ? "true" : "false") + "}");
}

}  // namespace

void RegisterSessionRoutes(Router& r, Api& api, Authenticator& auth) {
  // Signed: these routes read the form or the cookie themselves.
  r.Post(
      "/session", [&api, &auth](const Request& req, Response& res) { SignIn(api, auth, req, res); },
      Need::Signed());
  r.Get(
      "/session", [&api](const Request& req, Response& res) { Current(api, req, res); },
      Need::Signed());
  r.Post(
      "/session/delete", [&api](const Request& req, Response& res) { SignOut(api, req, res); },
      Need::Signed());
}

}  // namespace cbit::web
