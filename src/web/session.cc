#include "web/session.h"

#include <sodium.h>

#include "web/api_token.h"

namespace cbit::web {
namespace {

std::string Trim(const std::string& s) {
  auto b = s.find_first_not_of(" \t");
  auto e = s.find_last_not_of(" \t");
  return b == std::string::npos ? "" : s.substr(b, e - b + 1);
}

// "http://host:port" of the request's own Host; "" without one.
bool IsOwnOrigin(const httpd::Request& req, const std::string& origin) {
  const std::string host = req.get_header_value("Host");
  if (host.empty()) return false;
  return origin == "http://" + host || origin == "https://" + host;
}

// The origin part of a URL ("http://h:p" of "http://h:p/x?y").
std::string OriginOfUrl(const std::string& url) {
  auto scheme = url.find("://");
  if (scheme == std::string::npos) return "";
  auto slash = url.find('/', scheme + 3);
  return slash == std::string::npos ? url : url.substr(0, slash);
}

}  // namespace

std::string CookieValue(const std::string& header, const std::string& name) {
  std::size_t pos = 0;
  while (pos <= header.size()) {
    std::size_t end = header.find(';', pos);
    if (end == std::string::npos) end = header.size();
    std::string pair = header.substr(pos, end - pos);
    auto eq = pair.find('=');
    if (eq != std::string::npos && Trim(pair.substr(0, eq)) == name)
      return Trim(pair.substr(eq + 1));
    pos = end + 1;
  }
  return "";
}

std::string SessionSecretOf(const httpd::Request& req) {
  std::string v = CookieValue(req.get_header_value("Cookie"), kSessionCookie);
  return LooksLikeToken(v) ? v : "";
}

std::string CsrfTokenOf(const std::string& secret) { return TokenDigest("csrf:" + secret); }

std::string SessionCookieHeader(const std::string& secret, long long seconds) {
  return std::string(kSessionCookie) + "=" + secret + "; Path=/; HttpOnly; SameSite=Strict; " +
         "Max-Age=" + std::to_string(seconds);
}

std::optional<std::string> CookieActionRefusal(const httpd::Request& req,
                                               const std::string& secret) {
  const std::string sent = req.get_header_value(kCsrfHeader);
  const std::string want = CsrfTokenOf(secret);
  if (sent.size() != want.size() || sodium_memcmp(sent.data(), want.data(), want.size()) != 0)
    return std::string("a request signed in by the session cookie needs the session's ") +
           kCsrfHeader + " header";
  // Same-origin fetches send Origin on POST, PUT and DELETE, and Referer
  // (not Origin) on GET.
  const std::string origin = req.get_header_value("Origin");
  if (!origin.empty()) {
    if (!IsOwnOrigin(req, origin)) return "Origin " + origin + " is not this controller's";
    return std::nullopt;
  }
  const std::string referer = req.get_header_value("Referer");
  if (referer.empty())
    return "a request signed in by the session cookie needs an Origin or Referer";
  if (!IsOwnOrigin(req, OriginOfUrl(referer)))
    return "Referer " + OriginOfUrl(referer) + " is not this controller's";
  return std::nullopt;
}

std::optional<std::string> CrossSiteRefusal(const httpd::Request& req) {
  const std::string site = req.get_header_value("Sec-Fetch-Site");
  if (site == "cross-site" || site == "same-site")
    return "the browser says another site sent this request (Sec-Fetch-Site: " + site + ")";
  const std::string origin = req.get_header_value("Origin");
  if (!origin.empty() && !IsOwnOrigin(req, origin))
    return "Origin " + origin + " is not this controller's";
  const std::string referer = req.get_header_value("Referer");
  if (origin.empty() && !referer.empty() && !IsOwnOrigin(req, OriginOfUrl(referer)))
    return "Referer " + OriginOfUrl(referer) + " is not this controller's";
  return std::nullopt;
}

}  // namespace cbit::web
