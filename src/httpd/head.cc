#include "httpd/head.h"

#include <strings.h>

#include <string_view>

#include "httpd/query.h"

namespace cbit::httpd {

Request RequestOfHead(const boost::beast::http::request_header<>& head) {
  Request req;
  req.method = std::string(head.method_string());
  req.target = std::string(head.target());
  for (const auto& f : head)
    req.headers.emplace(std::string(f.name_string()), std::string(f.value()));
  std::string_view target(req.target);
  std::size_t q = target.find('?');
  req.path = Decode(target.substr(0, q), false, "the path");
  if (q != std::string_view::npos) ParseQuery(target.substr(q + 1), req.params, "the query");
  return req;
}

std::optional<std::uint64_t> DeclaredLength(const RequestParser& p) {
  auto n = p.content_length();
  return n ? std::optional<std::uint64_t>(*n) : std::nullopt;
}

std::optional<Refusal> RefuseBody(const Request& req, std::optional<std::uint64_t> content_length,
                                  std::uint64_t limit) {
  // Every field: a second Content-Encoding after "identity" still encodes.
  auto [first, last] = req.headers.equal_range("Content-Encoding");
  for (auto it = first; it != last; ++it) {
    const std::string& encoding = it->second;
    if (!encoding.empty() && strcasecmp(encoding.c_str(), "identity") != 0)
      return Refusal{415, "Content-Encoding " + encoding +
                              " is not accepted: send the request body unencoded"};
  }
  if (content_length && *content_length > limit) return Refusal{413, BodyTooLarge(limit)};
  return std::nullopt;
}

std::string BodyTooLarge(std::uint64_t limit) {
  return "the request body is larger than " + std::to_string(limit) + " bytes";
}

}  // namespace cbit::httpd
