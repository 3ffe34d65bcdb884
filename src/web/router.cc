#include "web/router.h"

#include <spdlog/spdlog.h>

#include <charconv>

#include "controller/errors.h"
#include "core/wire.h"
#include "queue/publisher.h"
#include "store/store.h"

namespace cbit::web {

Form::Form(const httplib::Request& req) : req_(req) {
  // curl --data and HTML forms send application/x-www-form-urlencoded.
  if (req.get_header_value("Content-Type").rfind("application/x-www-form-urlencoded", 0) == 0)
    httplib::detail::parse_query_text(req.body, body_);
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

void SendError(httplib::Response& res, int status, const std::string& message) {
  res.status = status;
  JsonWriter w;
  w.BeginObject();
  w.Key("error");
  w.String(message);
  w.EndObject();
  res.set_content(w.Take(), "application/json");
}

void SendJson(httplib::Response& res, const std::string& body) {
  res.set_content(body, "application/json");
}

void SendText(httplib::Response& res, const std::string& body) {
  res.set_content(body, "text/plain");
}

std::pair<int, std::string> ErrorStatus(const std::exception_ptr& e) {
  try {
    std::rethrow_exception(e);
  } catch (const HttpError& x) {
    return {x.status, x.what()};
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

std::int64_t PathId(const httplib::Request& req, int capture) {
  const std::string s = req.matches[capture];
  auto v = ParseDecimal(s);
  if (!v || *v == 0) throw HttpError(404, "'" + s + "' is not an id");
  return *v;
}

Router::Router(httplib::Server& server, Authenticator& auth, bool auth_reads)
    : server_(server), auth_(auth), auth_reads_(auth_reads) {}

httplib::Server::Handler Router::Wrap(Handler h, Access a) {
  return [this, h = std::move(h), a](const httplib::Request& req, httplib::Response& res) {
    if (a == Access::kWrite || (a == Access::kRead && auth_reads_)) {
      if (!auth_.Check(req.get_header_value("Authorization"))) {
        res.set_header("WWW-Authenticate", "Basic realm=\"cbit\"");
        SendError(res, 401,
                  "authentication required: HTTP Basic credentials of a user in "
                  "the controller's config");
        return;
      }
    }
    try {
      h(req, res);
    } catch (...) {
      auto [status, msg] = ErrorStatus(std::current_exception());
      SendError(res, status, msg);
    }
  };
}

void Router::Get(const std::string& p, Handler h, Access a) {
  server_.Get(p, Wrap(std::move(h), a));
}
void Router::Post(const std::string& p, Handler h, Access a) {
  server_.Post(p, Wrap(std::move(h), a));
}
void Router::Put(const std::string& p, Handler h) {
  server_.Put(p, Wrap(std::move(h), Access::kWrite));
}
void Router::Delete(const std::string& p, Handler h) {
  server_.Delete(p, Wrap(std::move(h), Access::kWrite));
}
void Router::PostPut(const std::string& p, Handler h) {
  Post(p, h);
  Put(p, std::move(h));
}

}  // namespace cbit::web
