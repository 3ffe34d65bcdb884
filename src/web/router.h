// The HTTP edge: every route goes through Router, which adds CORS headers,
// checks who the caller is against what the route needs (Need: the roles
// that may call it; 401 without valid credentials, 403 for another role, 429
// after too many failed sign-ins), and turns every error into a status code
// and a JSON body through one table (ErrorStatus), so no handler can answer
// 500 for a caller's mistake. The routes registered are kept (routes()), so
// a test can check every one.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <regex>
#include <stdexcept>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "httpd/message.h"
#include "httpd/server.h"
#include "web/auth.h"

namespace cbit::web {

using Request = httpd::Request;
using Response = httpd::Response;

/// A request-level problem a handler raises itself: status + message.
struct HttpError : std::runtime_error {
  HttpError(int s, const std::string& m) : std::runtime_error(m), status(s) {}
  int status;
};

/// The number written in `text`: decimal digits only (no sign, no space,
/// nothing after them) and at most 2^63-1; nullopt otherwise. Every number
/// in a request's path, query or form goes through this one parser.
std::optional<std::int64_t> ParseDecimal(std::string_view text);

/// A positive id in form field `field`; HttpError 400 naming the field when
/// `value` is not one.
std::int64_t ParseFormId(const std::string& field, const std::string& value);
/// A non-negative integer in form field `field`; HttpError 400 naming the
/// field when `value` is not one.
std::int64_t ParseFormInt(const std::string& field, const std::string& value);

/// Form fields of a request: the query string and an urlencoded body.
class Form {
 public:
  explicit Form(const Request& req);
  bool Has(const std::string& key) const;
  std::string Get(const std::string& key) const;
  /// The value, or records "<key> is missing" in `missing`.
  std::string Require(const std::string& key, std::vector<std::string>& missing) const;
  /// The id in field `key` (ParseFormId), or records it missing and answers 0.
  std::int64_t RequireId(const std::string& key, std::vector<std::string>& missing) const;
  /// Throws HttpError 400 naming every missing field, if any.
  static void Check(const std::vector<std::string>& missing);

 private:
  const Request& req_;
  httpd::Params body_;
};

/// Writes {"error": message} with this status.
void SendError(Response& res, int status, const std::string& message);
/// Maps the exception being handled to a status and message.
std::pair<int, std::string> ErrorStatus(const std::exception_ptr& e);

void SendJson(Response& res, const std::string& body);
void SendText(Response& res, const std::string& body);

/// Parses a positive id from a path capture; 404 when it is not one.
std::int64_t PathId(const Request& req, int capture = 1);

/// Who may call a route.
struct Need {
  enum class Kind {
    kRead,    ///< anyone; any role when web.auth_reads is on
    kRoles,   ///< the roles in `roles` (admin always)
    kSigned,  ///< no credentials checked here: the handler authenticates
              ///< the request itself (forge webhooks sign their bodies)
    kPublic,  ///< anyone, even when reads need credentials (the apt repository)
  };
  Kind kind = Kind::kRoles;
  std::uint8_t roles = 0;  ///< bit 1 << Role

  bool Allows(Role r) const {
    return r == Role::kAdmin || (roles & (1u << static_cast<unsigned>(r))) != 0;
  }
  static Need Read() { return {Kind::kRead, 0}; }
  static Need Signed() { return {Kind::kSigned, 0}; }
  static Need Public() { return {Kind::kPublic, 0}; }
  /// Admin and the roles given.
  static Need Roles(std::initializer_list<Role> rs) {
    Need n;
    for (Role r : rs) n.roles |= static_cast<std::uint8_t>(1u << static_cast<unsigned>(r));
    return n;
  }
  static Need Admin() { return Roles({}); }
};

/// A registered route, as the router's table keeps it.
struct RouteInfo {
  std::string method, pattern;
  Need need;
};

class Router {
 public:
  using Handler = std::function<void(const Request&, Response&)>;
  /// A handler that also needs to know who calls (the rules of a role).
  using PrincipalHandler = std::function<void(const Request&, Response&, const Principal&)>;
  /// The route's answer when it can be made without blocking (from memory,
  /// on an I/O thread); false (or an exception) declines, and the request
  /// goes to the route's handler as usual. It must answer exactly as the
  /// handler would.
  using FastHandler = std::function<bool(const Request&, Response&)>;

  Router(Authenticator& auth, bool auth_reads);

  void Get(const std::string& pattern, Handler h, Need n = Need::Read(),
           FastHandler fast = nullptr);
  void Post(const std::string& pattern, Handler h, Need n = Need::Admin());
  void Put(const std::string& pattern, Handler h, Need n = Need::Admin());
  void PostPut(const std::string& pattern, Handler h, Need n = Need::Admin());
  void Delete(const std::string& pattern, Handler h);
  /// POST and PUT for callers of `n`'s roles, with the caller.
  void PostPutAs(const std::string& pattern, Need n, PrincipalHandler h);
  void PostAs(const std::string& pattern, Need n, PrincipalHandler h);

  /// Every route, in registration order.
  std::vector<RouteInfo> routes() const;

  /// The server's decision on a request head: the route (404, 405, 501 or
  /// the OPTIONS preflight answer at once), then the credentials (401),
  /// then the handler to run once the body is read. Routes are tried in
  /// registration order; HEAD runs the GET route.
  httpd::Admission Admit(Request& req);
  /// For httpd::Options::fast: the answer of the GET route `req` matches
  /// (HEAD too), when that route has a fast handler, needs no credentials
  /// and the fast handler gives one; nullopt otherwise.
  std::optional<Response> Fast(Request& req) const;

 private:
  struct Route {
    std::string method;
    std::string source;  ///< the pattern as registered
    std::string prefix;  ///< literal text every match starts with
    std::regex pattern;
    PrincipalHandler handler;
    Need need;
    FastHandler fast;
  };
  static PrincipalHandler Anyone(Handler h);
  void Add(const char* method, const std::string& pattern, PrincipalHandler h, Need n,
           FastHandler fast = nullptr);
  /// The first route for `method` whose pattern matches (fills req.matches).
  const Route* Match(Request& req, const std::string& method) const;
  /// The caller when the route lets it in (fills req.user); else the 401,
  /// 403 or 429 answer.
  std::variant<Principal, httpd::Admission> Allowed(Request& req, Need n);
  std::vector<Route> routes_;
  Authenticator& auth_;
  bool auth_reads_;
  bool any_fast_ = false;
};

}  // namespace cbit::web
