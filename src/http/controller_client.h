// The HTTP client side of the controller's API: a connection set up the same
// way by every program that calls it, and the one check of each answer.
#pragma once

#include <httplib.h>

#include <chrono>
#include <memory>
#include <string>

#include "http/api_error.h"

namespace cbit::http {

/// How a program signs in to the controller: an API token when set (sent as
/// Authorization: Bearer), else HTTP Basic (pyBit's user and password), else
/// nothing.
struct Credentials {
  std::string user, password;
  std::string token;
};

/// A client of the controller at `url` ("http[s]://host:port") with these
/// credentials, one keep-alive connection, `connect_timeout` as the deadline
/// of connecting and `timeout` that of each read and each write.
std::unique_ptr<httplib::Client> MakeControllerClient(const std::string& url,
                                                      const Credentials& credentials,
                                                      std::chrono::seconds timeout,
                                                      std::chrono::seconds connect_timeout);
/// The same, with `timeout` as the deadline of connecting too.
std::unique_ptr<httplib::Client> MakeControllerClient(const std::string& url,
                                                      const Credentials& credentials,
                                                      std::chrono::seconds timeout);

/// A controller URL "http[s]://host[:port][/prefix]" split into what the
/// client connects to and the path its routes sit under ("" or "/prefix",
/// without a trailing slash).
struct ControllerUrl {
  std::string origin;
  std::string prefix;
};
ControllerUrl SplitControllerUrl(const std::string& url);

/// The 200 answer (owned by `r`, which must outlive it), or ApiError naming
/// the call `what` and what went wrong: the transport error, or the HTTP
/// status and the controller's {"error": …} message (else the body).
const httplib::Response& Expect(const httplib::Result& r, const std::string& what);

}  // namespace cbit::http
