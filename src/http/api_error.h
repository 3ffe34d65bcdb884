// The error of a call to the controller's HTTP API, shared by every program
// that calls it (cbit-client, cbit-watcher). Kept apart from the httplib
// setup so the API interfaces and their fakes need no httplib.
#pragma once

#include <stdexcept>
#include <string>

namespace cbit::http {

/// A controller call failed. `status` is the HTTP status, or 0 when no answer
/// came (unreachable, deadline passed): only those are worth retrying.
struct ApiError : std::runtime_error {
  ApiError(int s, const std::string& what) : std::runtime_error(what), status(s) {}
  int status;
  bool retryable() const { return status == 0 || status >= 500; }
};

}  // namespace cbit::http
