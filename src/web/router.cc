#include "web/router.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <charconv>
#include <cstring>

#include "controller/errors.h"
#include "core/wire.h"
#include "httpd/query.h"
#include "journal/fields.h"
#include "queue/publisher.h"
#include "store/store.h"
#include "web/session.h"

namespace cbit::web {
namespace {

bool IsForm(const Request& req) {
  return req.get_header_value("Content-Type").rfind("application/x-www-form-urlencoded", 0) == 0;
}

// Route patterns are std::regex, whose matcher recurses per character: a
// path of ~30 kB overflows the stack. No route's path comes near this.
constexpr std::size_t kMaxPath = 2048;

// Methods the routes may be registered for; any other is not implemented.
bool KnownMethod(const std::string& m) {
  return m == "GET" || m == "HEAD" || m == "POST" || m == "PUT" || m == "DELETE" || m == "OPTIONS";
}

// The literal text every path `pattern` matches starts with: a string
// compare rules out most routes before their (much slower) std::regex runs.
std::string LiteralPrefix(const std::string& pattern) {
  if (pattern.find('|') != std::string::npos) return "";
  std::string prefix;
  for (char c : pattern) {
    if (std::strchr("\\()[].^$", c) != nullptr) break;
    if (std::strchr("*+?{", c) != nullptr) {  // the character before is optional
      if (!prefix.empty()) prefix.pop_back();
      break;
    }
    prefix += c;
  }
  return prefix;
}

httpd::Admission Answer(int status, const std::string& message) {
  return {.answer = httpd::ErrorResponse(status, message)};
}

}  // namespace

Form::Form(const Request& req) : req_(req) {
  // curl --data and HTML forms send application/x-www-form-urlencoded.
  if (IsForm(req)) httpd::ParseQuery(req.body, body_, "the form");
}

bool Form::Has(const std::string& key) const { return body_.count(key) > 0 || req_.has_param(key); }

std::string Form::Get(const std::string& key) const {
  if (auto it = body_.find(key); it != body_.end()) return it->second;
  return req_.get_param_value(key);
}

std::string Form::Require(const std::string& key, std::vector<std::string>& missing) const {
  std::string v = Get(key);
  if (v.empty()) missing.push_back(key);
  return v;
}

std::int64_t Form::RequireId(const std::string& key, std::vector<std::string>& missing) const {
  std::string v = Require(key, missing);
  return v.empty() ? 0 : ParseFormId(key, v);
}

std::optional<std::int64_t> ParseDecimal(std::string_view text) {
  // from_chars alone would take a leading '-'.
  if (text.empty() || text.find_first_not_of("0123456789") != std::string_view::npos)
    return std::nullopt;
  std::int64_t v = 0;
  auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || p != text.data() + text.size()) return std::nullopt;
  return v;
}

std::int64_t ParseFormId(const std::string& field, const std::string& value) {
  auto v = ParseDecimal(value);
  if (!v || *v == 0) throw HttpError(400, field + " '" + value + "' is not an id");
  return *v;
}

std::int64_t ParseFormInt(const std::string& field, const std::string& value) {
  auto v = ParseDecimal(value);
  if (!v) throw HttpError(400, field + " '" + value + "' is not a non-negative integer");
  return *v;
}

void Form::Check(const std::vector<std::string>& missing) {
  if (missing.empty()) return;
  std::string msg = "missing field";
  if (missing.size() > 1) msg += "s";
  msg += ": ";
  for (std::size_t i = 0; i < missing.size(); ++i) msg += (i ? ", " : "") + missing[i];
  throw HttpError(400, msg);
}

void SendError(Response& res, int status, const std::string& message) {
  res.status = status;
  JsonWriter w;
  w.BeginObject();
  w.Key("error");
  w.String(message);
  w.EndObject();
  res.set_content(w.Take(), "application/json");
}

void SendJson(Response& res, const std::string& body) { res.set_content(body, "application/json"); }

void SendText(Response& res, const std::string& body) { res.set_content(body, "text/plain"); }

std::pair<int, std::string> ErrorStatus(const std::exception_ptr& e) {
  try {
    std::rethrow_exception(e);
  } catch (const HttpError& x) {
    return {x.status, x.what()};
  } catch (const httpd::BadInput& x) {
    return {400, x.what()};
  } catch (const controller::InvalidInput& x) {
    return {400, x.what()};
  } catch (const controller::Refused& x) {
    return {403, x.what()};
  } catch (const store::NotFound& x) {
    return {404, x.what()};
  } catch (const store::Conflict& x) {
    return {409, x.what()};
  } catch (const store::DbError& x) {
    if (x.kind == store::DbErrorKind::kUnavailable) return {503, "database unavailable"};
    if (x.kind == store::DbErrorKind::kUnique) return {409, "already exists"};
    if (x.kind == store::DbErrorKind::kForeignKey) return {409, "still referenced"};
    spdlog::error("database error: {}", x.what());
    return {500, "database error"};
  } catch (const queue::BrokerError& x) {
    return {503, std::string("message broker unavailable: ") + x.what()};
  } catch (const std::exception& x) {
    spdlog::error("internal error: {}", x.what());
    return {500, "internal error"};
  }
}

std::int64_t PathId(const Request& req, int capture) {
  const std::string s = req.matches[capture];
  auto v = ParseDecimal(s);
  if (!v || *v == 0) throw HttpError(404, "'" + s + "' is not an id");
  return *v;
}

Router::Router(Authenticator& auth, bool auth_reads) : auth_(auth), auth_reads_(auth_reads) {}

void Router::Add(const char* method, const std::string& pattern, PrincipalHandler h, Need n,
                 FastHandler fast) {
  any_fast_ = any_fast_ || fast != nullptr;
  routes_.push_back({method, pattern, LiteralPrefix(pattern), std::regex(pattern), std::move(h), n,
                     std::move(fast)});
}

const Router::Route* Router::Match(Request& req, const std::string& method) const {
  for (const Route& r : routes_)
    if (r.method == method && req.path.starts_with(r.prefix) &&
        std::regex_match(req.path, req.matches, r.pattern)) {
      req.route = r.source;
      return &r;
    }
  return nullptr;
}

std::optional<Response> Router::Fast(Request& req) const {
  if (!any_fast_ || (req.method != "GET" && req.method != "HEAD") || req.path.size() > kMaxPath)
    return std::nullopt;
  const Route* route = Match(req, "GET");
  if (!route || !route->fast) return std::nullopt;
  // Checking credentials may block (argon2id, token lookups): those go the
  // normal way.
  const Need& n = route->need;
  if (n.kind != Need::Kind::kPublic && (n.kind != Need::Kind::kRead || auth_reads_))
    return std::nullopt;
  Response res;
  try {
    if (!route->fast(req, res)) return std::nullopt;
  } catch (const std::exception&) {
    return std::nullopt;  // the handler answers it (an error status, most likely)
  }
  return res;
}

std::vector<RouteInfo> Router::routes() const {
  std::vector<RouteInfo> out;
  for (const Route& r : routes_) out.push_back({r.method, r.source, r.need});
  return out;
}

namespace {
// The journal's fields of a request's log lines: its route pattern (a
// bounded value, unlike the path), the job of a /job/<id>… route, and the
// build client a builder token reports as.
void SetJournalFields(journal::ScopedFields& f, const Request& req, const Principal& who) {
  f.Route(req.route);
  if (!who.client.empty()) f.Client(who.client);
  if (req.route.starts_with("/job/") && req.matches.size() > 1) {
    const std::string id = req.matches[1].str();
    if (!id.empty() && id.size() < 19 &&
        std::all_of(id.begin(), id.end(), [](char c) { return c >= '0' && c <= '9'; }))
      f.Job(std::stoll(id));
  }
}

// A route of roles changes state (reads are Need::Read): with the session
// cookie it needs the CSRF token and this controller's origin; with its own
// credentials, no sign of another site's page sending it.
std::optional<std::string> ActionRefusal(const Request& req, const std::string& secret) {
  return secret.empty() ? CrossSiteRefusal(req) : CookieActionRefusal(req, secret);
}
}  // namespace

std::variant<Principal, httpd::Admission> Router::Allowed(Request& req, Need n) {
  if (n.kind == Need::Kind::kSigned || n.kind == Need::Kind::kPublic ||
      (n.kind == Need::Kind::kRead && !auth_reads_))
    return Principal{"", Role::kReader, {}, {}};
  const std::string header = req.get_header_value("Authorization");
  const std::string secret = header.empty() ? SessionSecretOf(req) : "";
  // A session's secret is looked up as a token is (web/token_lookup.h).
  AuthResult a = auth_.Authenticate(secret.empty() ? header : "Bearer " + secret, req.remote_addr);
  switch (a.kind) {
    case AuthResult::Kind::kOk:
      if (n.kind == Need::Kind::kRead || n.Allows(a.principal.role)) {
        if (n.kind == Need::Kind::kRoles)
          if (auto refusal = ActionRefusal(req, secret)) return Answer(403, *refusal);
        req.user = a.principal.name;
        return a.principal;
      }
      return Answer(403, std::string("role ") + RoleName(a.principal.role) + " (" +
                             a.principal.name + ") may not " + req.method + " " + req.path);
    case AuthResult::Kind::kLimited: {
      auto limited = Answer(429, a.reason);
      limited.answer->set_header("Retry-After", std::to_string(a.retry_after.count()));
      return limited;
    }
    case AuthResult::Kind::kAnonymous:
    case AuthResult::Kind::kRefused:
      break;
  }
  auto refused = Answer(
      401,
      "authentication required: " +
          (a.reason.empty() ? std::string("HTTP Basic credentials or an API token") : a.reason));
  // The dashboard signs in with its own form: a browser shown this header
  // would ask for Basic credentials over it.
  if (secret.empty() && !req.has_header(kCsrfHeader))
    refused.answer->set_header("WWW-Authenticate", "Basic realm=\"cbit\"");
  return refused;
}

httpd::Admission Router::Admit(Request& req) {
  if (!KnownMethod(req.method)) return Answer(501, "method " + req.method + " is not implemented");
  if (req.path.size() > kMaxPath)
    return Answer(414, "path of " + std::to_string(req.path.size()) + " bytes: at most " +
                           std::to_string(kMaxPath) + " are accepted");
  if (req.method == "OPTIONS") {  // CORS preflight: the server adds the headers
    httpd::Response r;
    r.status = 204;
    return {.answer = std::move(r)};
  }
  const std::string method = req.method == "HEAD" ? "GET" : req.method;
  const Route* route = Match(req, method);
  // The other methods' patterns are matched only for a 405's Allow.
  std::string allowed;
  if (!route) {
    for (const Route& r : routes_) {
      if (r.method != method && allowed.find(r.method) == std::string::npos &&
          req.path.starts_with(r.prefix) && std::regex_match(req.path, r.pattern))
        allowed += (allowed.empty() ? "" : ", ") + r.method;
    }
  }
  if (!route && allowed.empty()) return Answer(404, "no route for " + req.method + " " + req.path);
  if (!route) {
    auto a =
        Answer(405, req.method + " is not allowed on " + req.path + " (allowed: " + allowed + ")");
    a.answer->set_header("Allow", allowed);
    return a;
  }
  auto admitted = Allowed(req, route->need);
  if (auto* refused = std::get_if<httpd::Admission>(&admitted)) return std::move(*refused);
  return {.handler = [h = route->handler, who = std::get<Principal>(std::move(admitted))](
                         Request& req, Response& res) {
    journal::ScopedFields fields;
    SetJournalFields(fields, req, who);
    try {
      // Form fields of an urlencoded body are parameters too.
      if (IsForm(req)) httpd::ParseQuery(req.body, req.params, "the form");
      h(req, res, who);
    } catch (...) {
      auto [status, msg] = ErrorStatus(std::current_exception());
      SendError(res, status, msg);
    }
    // Any page may read the answers of anonymous requests only.
    if (!who.name.empty()) res.set_header("Access-Control-Allow-Origin", "");
    if (res.status >= 400 && res.body.empty() && !res.producer)
      SendError(res, res.status, "HTTP error " + std::to_string(res.status));
  }};
}

Router::PrincipalHandler Router::Anyone(Handler h) {
  return [h = std::move(h)](const Request& req, Response& res, const Principal&) { h(req, res); };
}

void Router::Get(const std::string& p, Handler h, Need n, FastHandler fast) {
  Add("GET", p, Anyone(std::move(h)), n, std::move(fast));
}
void Router::Post(const std::string& p, Handler h, Need n) {
  Add("POST", p, Anyone(std::move(h)), n);
}
void Router::Put(const std::string& p, Handler h, Need n) {
  Add("PUT", p, Anyone(std::move(h)), n);
}
void Router::Delete(const std::string& p, Handler h) {
  Add("DELETE", p, Anyone(std::move(h)), Need::Admin());
}
void Router::PostPut(const std::string& p, Handler h, Need n) {
  Post(p, h, n);
  Put(p, std::move(h), n);
}
void Router::PostPutAs(const std::string& p, Need n, PrincipalHandler h) {
  Add("POST", p, h, n);
  Add("PUT", p, std::move(h), n);
}
void Router::PostAs(const std::string& p, Need n, PrincipalHandler h) {
  Add("POST", p, std::move(h), n);
}

}  // namespace cbit::web
