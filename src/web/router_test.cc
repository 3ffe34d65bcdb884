#include "web/router.h"

#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

#include "journal/fields.h"
#include "web/api_token.h"
#include "web/session.h"

namespace cbit::web {
namespace {

// The HttpError `fn` throws: its status and message.
template <typename F>
std::pair<int, std::string> Refusal(F&& fn) {
  try {
    fn();
  } catch (const HttpError& e) {
    return {e.status, e.what()};
  }
  ADD_FAILURE() << "accepted";
  return {0, ""};
}

TEST(ParseDecimal, DigitsOnlyAndInRange) {
  EXPECT_EQ(ParseDecimal("0"), 0);
  EXPECT_EQ(ParseDecimal("12"), 12);
  EXPECT_EQ(ParseDecimal("007"), 7);
  EXPECT_EQ(ParseDecimal("9223372036854775807"), INT64_MAX);
  for (const char* bad : {"", "12abc", "abc", "+12", "-12", "-0", " 12", "12 ", "1.0", "0x10",
                          "9223372036854775808", "99999999999999999999"}) {
    EXPECT_EQ(ParseDecimal(bad), std::nullopt) << "'" << bad << "'";
  }
}

TEST(ParseFormId, RefusesWhatIsNotAPositiveIdWith400NamingTheField) {
  EXPECT_EQ(ParseFormId("suite_id", "42"), 42);
  for (const char* bad : {"12abc", "9223372036854775808", "+1", "-1", "0", ""}) {
    auto [status, message] = Refusal([&] { ParseFormId("suite_id", bad); });
    EXPECT_EQ(status, 400) << bad;
    EXPECT_EQ(message, "suite_id '" + std::string(bad) + "' is not an id");
  }
}

TEST(ParseFormInt, ZeroIsANumberButSignsAndGarbageAreNot) {
  EXPECT_EQ(ParseFormInt("master_weight", "0"), 0);
  EXPECT_EQ(ParseFormInt("master_weight", "3"), 3);
  for (const char* bad : {"-1", "+3", "3x", "9223372036854775808"}) {
    auto [status, message] = Refusal([&] { ParseFormInt("master_weight", bad); });
    EXPECT_EQ(status, 400) << bad;
    EXPECT_NE(message.find("master_weight '"), std::string::npos) << message;
  }
}

Request Req(const std::string& method, const std::string& path) {
  Request req;
  req.method = method;
  req.path = path;
  return req;
}

// /item/7 declines and /item/8 throws; /item/<n>/log has no fast handler.
void AddItemRoutes(Router& r) {
  auto answer = [](const Request& req, Response& res) {
    SendJson(res, "{\"item\": " + req.matches[1].str() + "}");
  };
  r.Get(R"(/item/(\d+)/log)", [](const Request&, Response& res) { SendText(res, "log"); });
  r.Get(R"(/item/(\d+))", answer, Need::Read(), [answer](const Request& req, Response& res) {
    if (req.matches[1] == "8") throw HttpError(404, "no");
    if (req.matches[1] == "7") return false;
    answer(req, res);
    return true;
  });
  r.Get("/secret", answer, Need::Admin(), [](const Request&, Response&) { return true; });
}

TEST(RouterFast, AnswersAsTheRoutesHandlerDoes) {
  Authenticator auth({});
  Router r(auth, false);
  AddItemRoutes(r);
  for (const char* method : {"GET", "HEAD"}) {
    Request req = Req(method, "/item/3");
    auto fast = r.Fast(req);
    ASSERT_TRUE(fast) << method;
    Request normal_req = Req(method, "/item/3");
    auto admitted = r.Admit(normal_req);
    ASSERT_FALSE(admitted.answer);
    Response normal;
    admitted.handler(normal_req, normal);
    EXPECT_EQ(fast->status, normal.status);
    EXPECT_EQ(fast->headers, normal.headers);
    EXPECT_EQ(fast->body, normal.body);
    EXPECT_EQ(fast->body, R"({"item": 3})");
  }
}

TEST(RouterFast, DeclinesWhatTheNormalWayMustAnswer) {
  Authenticator auth({});
  Router r(auth, false);
  AddItemRoutes(r);
  for (auto [method, path] :
       std::vector<std::pair<std::string, std::string>>{
           {"GET", "/item/7"},       // the fast handler declines
           {"GET", "/item/8"},       // it throws
           {"GET", "/item/3/log"},   // the route has none
           {"GET", "/secret"},       // credentials are needed
           {"GET", "/nothing"},      // no route
           {"POST", "/item/3"},      // not a read
           {"OPTIONS", "/item/3"}})  // the preflight
  {
    Request req = Req(method, path);
    EXPECT_FALSE(r.Fast(req)) << method << " " << path;
  }
  Router reads_need_credentials(auth, true);
  AddItemRoutes(reads_need_credentials);
  Request req = Req("GET", "/item/3");
  EXPECT_FALSE(reads_need_credentials.Fast(req));
}

// Routes are tried in order, each ruled out first by its literal prefix:
// optional characters and alternatives must not be taken for literal ones.
TEST(RouterMatch, OptionalTextAndAlternativesStillMatch) {
  Authenticator auth({});
  Router r(auth, false);
  auto named = [](const std::string& name) {
    return [name](const Request&, Response& res) { SendText(res, name); };
  };
  r.Get("/abc?d", named("optional"));
  r.Get("/x|/y", named("alternative"));
  r.Get(R"(/v\.1/(\d+))", named("escaped"));
  r.Get("/ab{0,1}z", named("counted"));
  for (auto [path, name] : std::vector<std::pair<std::string, std::string>>{{"/abd", "optional"},
                                                                            {"/abcd", "optional"},
                                                                            {"/y", "alternative"},
                                                                            {"/v.1/5", "escaped"},
                                                                            {"/az", "counted"}}) {
    Request req = Req("GET", path);
    auto admitted = r.Admit(req);
    ASSERT_FALSE(admitted.answer) << path << ": " << admitted.answer->body;
    Response res;
    admitted.handler(req, res);
    EXPECT_EQ(res.body, name) << path;
  }
  Request req = Req("GET", "/ab");
  EXPECT_EQ(r.Admit(req).answer->status, 404);
}

}  // namespace
}  // namespace cbit::web

namespace cbit::web {
namespace {

// A signed-in session cookie alone changes nothing: the CSRF token and the
// controller's own origin are needed too; Basic credentials a browser sends
// from another site's page are refused.
TEST(RouterActions, CookieNeedsCsrfAndOriginBasicNeedsNoForeignSite) {
  const std::string secret = "cbit_" + std::string(43, 'A');
  AuthOptions opts;
  opts.verify = [](const std::string& hash, const std::string& pw) { return hash == "h:" + pw; };
  // The session's secret is looked up as a token's is (web/token_lookup.h).
  TokenLookup sessions = [&](const std::string& digest) -> std::optional<Principal> {
    if (digest != TokenDigest(secret)) return std::nullopt;
    return Principal{"ada", Role::kAdmin, {}, {}};
  };
  Authenticator auth({{"ada", User{"h:pw", Role::kAdmin, {}, {}}}}, sessions, opts);
  Router r(auth, false);
  r.Post("/arch", [](const Request&, Response& res) { SendText(res, "made"); });
  auto status = [&](std::initializer_list<std::pair<const char*, std::string>> headers) {
    Request req = Req("POST", "/arch");
    req.headers.emplace("Host", "localhost:8080");
    for (auto& [k, v] : headers) req.headers.emplace(k, v);
    auto a = r.Admit(req);
    return a.answer ? a.answer->status : 200;
  };
  const std::pair<const char*, std::string> cookie{"Cookie", "cbit_session=" + secret};
  const std::pair<const char*, std::string> own{"Origin", "http://localhost:8080"};
  const std::pair<const char*, std::string> csrf{"X-CSRF-Token", CsrfTokenOf(secret)};
  EXPECT_EQ(status({cookie, own, csrf}), 200);
  EXPECT_EQ(status({cookie, own}), 403);
  EXPECT_EQ(status({cookie, csrf}), 403);
  EXPECT_EQ(status({cookie, csrf, {"Origin", "http://localhost:9999"}}), 403);
  const std::pair<const char*, std::string> basic{"Authorization", "Basic YWRhOnB3"};  // ada:pw
  EXPECT_EQ(status({basic}), 200);
  EXPECT_EQ(status({basic, {"Origin", "http://localhost:9999"}}), 403);
  EXPECT_EQ(status({basic, {"Sec-Fetch-Site", "same-site"}}), 403);
  EXPECT_EQ(status({}), 401);
}

// A handler's log lines carry its route pattern and, on /job/<id> routes,
// the job (journal/fields.h); the fields end with the handler.
TEST(RouterJournal, HandlersLogWithTheirRouteAndJob) {
  Authenticator auth({});
  Router r(auth, false);
  journal::LogFields seen;
  auto capture = [&seen](const Request&, Response& res) {
    seen = journal::CurrentFields();
    SendText(res, "ok");
  };
  r.Get(R"(/job/(\d+)/log)", capture);
  r.Get(R"(/item/(\d+))", capture);
  Request req = Req("GET", "/job/42/log");
  auto admitted = r.Admit(req);
  ASSERT_FALSE(admitted.answer);
  Response res;
  admitted.handler(req, res);
  EXPECT_EQ(seen.route, R"(/job/(\d+)/log)");
  EXPECT_EQ(seen.job_id, 42);
  EXPECT_TRUE(journal::CurrentFields().route.empty());
  EXPECT_FALSE(journal::CurrentFields().job_id);

  Request item = Req("GET", "/item/9");
  admitted = r.Admit(item);
  admitted.handler(item, res);
  EXPECT_EQ(seen.route, R"(/item/(\d+))");
  EXPECT_FALSE(seen.job_id);  // not a job's route
}

}  // namespace
}  // namespace cbit::web
