#include "httpd/head.h"

#include <strings.h>

#include <string_view>
#include <vector>

#include "httpd/query.h"

namespace cbit::httpd {
namespace {

// "gzip , chunked" → {"gzip", "chunked"}; empty elements are dropped.
std::vector<std::string> SplitCodings(std::string_view field) {
  std::vector<std::string> out;
  while (!field.empty()) {
    std::size_t comma = field.find(',');
    std::string_view item = field.substr(0, comma);
    while (!item.empty() && (item.front() == ' ' || item.front() == '\t')) item.remove_prefix(1);
    while (!item.empty() && (item.back() == ' ' || item.back() == '\t')) item.remove_suffix(1);
    if (!item.empty()) out.emplace_back(item);
    if (comma == std::string_view::npos) break;
    field.remove_prefix(comma + 1);
  }
  return out;
}

}  // namespace

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
  // The parser undoes chunked and nothing else: a body sent with another
  // transfer coding (gzip, chunked) would reach the handler still coded.
  auto [tfirst, tlast] = req.headers.equal_range("Transfer-Encoding");
  for (auto it = tfirst; it != tlast; ++it) {
    for (const auto& coding : SplitCodings(it->second)) {
      if (strcasecmp(coding.c_str(), "chunked") != 0)
        return Refusal{501,
                       "Transfer-Encoding " + coding +
                           " is not implemented: send the body with Content-Length or chunked"};
    }
  }
  if (content_length && *content_length > limit) return Refusal{413, BodyTooLarge(limit)};
  return std::nullopt;
}

std::string BodyTooLarge(std::uint64_t limit) {
  return "the request body is larger than " + std::to_string(limit) + " bytes";
}

}  // namespace cbit::httpd
