#include "web/session.h"

#include <gtest/gtest.h>

#include "web/api_token.h"

namespace cbit::web {
namespace {

httpd::Request Req(std::initializer_list<std::pair<const char*, std::string>> headers) {
  httpd::Request r;
  r.method = "POST";
  r.path = "/arch";
  r.headers.emplace("Host", "localhost:8080");
  for (auto& [k, v] : headers) r.headers.emplace(k, v);
  return r;
}

TEST(CookieValue, FindsTheNamedCookieAmongOthers) {
  EXPECT_EQ(CookieValue("a=1; cbit_session=xyz; b=2", "cbit_session"), "xyz");
  EXPECT_EQ(CookieValue("cbit_session=xyz", "cbit_session"), "xyz");
  EXPECT_EQ(CookieValue("xcbit_session=1; a=2", "cbit_session"), "");
  EXPECT_EQ(CookieValue("", "cbit_session"), "");
  EXPECT_EQ(CookieValue(";;=;", "cbit_session"), "");
}

TEST(SessionSecretOf, OnlyAWellFormedSecretCounts) {
  const std::string secret = NewToken();
  EXPECT_EQ(SessionSecretOf(Req({{"Cookie", "cbit_session=" + secret}})), secret);
  EXPECT_EQ(SessionSecretOf(Req({{"Cookie", "cbit_session=<script>"}})), "");
}

TEST(SessionCookieHeader, IsHttpOnlyStrictAndSiteWide) {
  const std::string h = SessionCookieHeader("S", 60);
  for (const char* part : {"cbit_session=S", "Path=/", "HttpOnly", "SameSite=Strict", "Max-Age=60"})
    EXPECT_NE(h.find(part), std::string::npos) << part << " in " << h;
}

TEST(CookieActionRefusal, NeedsTheTokenAndTheOwnOrigin) {
  const std::string secret = NewToken();
  const std::string csrf = CsrfTokenOf(secret);
  EXPECT_NE(csrf, CsrfTokenOf(NewToken()));
  EXPECT_EQ(
      CookieActionRefusal(Req({{kCsrfHeader, csrf}, {"Origin", "http://localhost:8080"}}), secret),
      std::nullopt);
  // Same-origin GET: no Origin, the Referer says where it came from.
  EXPECT_EQ(CookieActionRefusal(
                Req({{kCsrfHeader, csrf}, {"Referer", "http://localhost:8080/#/job/5"}}), secret),
            std::nullopt);
  auto refused = [&](std::initializer_list<std::pair<const char*, std::string>> h) {
    return CookieActionRefusal(Req(h), secret).has_value();
  };
  EXPECT_TRUE(refused({{"Origin", "http://localhost:8080"}}));  // no token
  EXPECT_TRUE(
      refused({{kCsrfHeader, CsrfTokenOf(NewToken())}, {"Origin", "http://localhost:8080"}}));
  EXPECT_TRUE(refused({{kCsrfHeader, csrf}, {"Origin", "http://localhost:9999"}}));
  EXPECT_TRUE(refused({{kCsrfHeader, csrf}, {"Origin", "null"}}));
  EXPECT_TRUE(refused({{kCsrfHeader, csrf}}));  // neither Origin nor Referer
  EXPECT_TRUE(refused({{kCsrfHeader, csrf}, {"Referer", "http://localhost:8080.evil/"}}));
}

TEST(CrossSiteRefusal, RefusesWhatABrowserSaysAnotherSiteSent) {
  EXPECT_EQ(CrossSiteRefusal(Req({})), std::nullopt);  // curl, the hooks, the client
  EXPECT_EQ(CrossSiteRefusal(Req({{"Origin", "http://localhost:8080"}})), std::nullopt);
  EXPECT_EQ(CrossSiteRefusal(Req({{"Sec-Fetch-Site", "same-origin"}})), std::nullopt);
  EXPECT_TRUE(CrossSiteRefusal(Req({{"Origin", "http://localhost:9999"}})));
  EXPECT_TRUE(CrossSiteRefusal(Req({{"Sec-Fetch-Site", "same-site"}})));
  EXPECT_TRUE(CrossSiteRefusal(Req({{"Sec-Fetch-Site", "cross-site"}})));
  EXPECT_TRUE(CrossSiteRefusal(Req({{"Referer", "http://evil.example/x"}})));
}

}  // namespace
}  // namespace cbit::web
