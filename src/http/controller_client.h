// The HTTP client side of the controller's API: a connection set up the same
// way by every program that calls it, and the one check of each answer.
#pragma once

#include <httplib.h>

#include <chrono>
#include <memory>
#include <string>

#include "http/api_error.h"

namespace cbit::http {

/// A client of the controller at `url` ("http[s]://host:port") with Basic
/// credentials, one keep-alive connection and `timeout` as the deadline of
/// connecting, each read and each write.
std::unique_ptr<httplib::Client> MakeControllerClient(const std::string& url,
                                                      const std::string& user,
                                                      const std::string& password,
                                                      std::chrono::seconds timeout);

/// The 200 answer (owned by `r`, which must outlive it), or ApiError naming
/// the call `what` and what went wrong: the transport error, or the HTTP
/// status and the controller's {"error": …} message (else the body).
const httplib::Response& Expect(const httplib::Result& r, const std::string& what);

}  // namespace cbit::http
