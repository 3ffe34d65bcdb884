// The HTTP edge: every route goes through Router, which adds CORS headers,
// checks credentials for what changes state, and turns every error into a
// status code and a JSON body through one table (ErrorStatus), so no handler
// can answer 500 for a caller's mistake.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <regex>
#include <stdexcept>
#include <string>
#include <string_view>
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

class Router {
 public:
  /// kSigned: no HTTP Basic check; the handler authenticates the request
  /// itself (forge webhooks sign their bodies). kPublic: open even when
  /// reads need credentials (the apt repository).
  enum class Access { kRead, kWrite, kSigned, kPublic };
  using Handler = std::function<void(const Request&, Response&)>;

  Router(Authenticator& auth, bool auth_reads);

  void Get(const std::string& pattern, Handler h, Access a = Access::kRead);
  void Post(const std::string& pattern, Handler h, Access a = Access::kWrite);
  void Put(const std::string& pattern, Handler h);
  void PostPut(const std::string& pattern, Handler h);
  void Delete(const std::string& pattern, Handler h);

  /// The server's decision on a request head: the route (404, 405, 501 or
  /// the OPTIONS preflight answer at once), then the credentials (401),
  /// then the handler to run once the body is read. Routes are tried in
  /// registration order; HEAD runs the GET route.
  httpd::Admission Admit(Request& req);

 private:
  struct Route {
    std::string method;
    std::regex pattern;
    Handler handler;
    Access access;
  };
  void Add(const char* method, const std::string& pattern, Handler h, Access a);
  /// Checks the credentials the route needs; fills req.user.
  bool Allowed(Request& req, Access a);
  std::vector<Route> routes_;
  Authenticator& auth_;
  bool auth_reads_;
};

}  // namespace cbit::web
