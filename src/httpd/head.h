// What the server makes of a request head before any handler sees it,
// apart from the socket: the Request a parsed head describes, and whether
// an admitted request's body is refused before it is read. The connection
// uses these; the head fuzz target feeds them arbitrary bytes.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "httpd/asio.h"
#include "httpd/message.h"

namespace cbit::httpd {

/// The parser the server reads requests with.
using RequestParser = boost::beast::http::request_parser<boost::beast::http::string_body>;

/// The method, target, headers, decoded path and query of `head` (no
/// remote address, no body). Throws BadInput (400) for a path or query the
/// server refuses.
Request RequestOfHead(const boost::beast::http::request_header<>& head);

/// The Content-Length the parser read, if the head had one.
std::optional<std::uint64_t> DeclaredLength(const RequestParser& p);

/// A refusal: the status and the message sent with it.
struct Refusal {
  int status;
  std::string message;
};

/// Why the body of an admitted request is refused unread: 415 for any
/// Content-Encoding field other than identity, 413 for a declared length over
/// `limit`; nullopt when it is to be read (still capped by `limit`).
std::optional<Refusal> RefuseBody(const Request& req, std::optional<std::uint64_t> content_length,
                                  std::uint64_t limit);

/// The message of the 413 for a body over `limit` bytes.
std::string BodyTooLarge(std::uint64_t limit);

}  // namespace cbit::httpd
