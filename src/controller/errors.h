// The job logic's error model: what the caller did wrong, by kind. The HTTP
// edge (web/http_errors.cc) maps each kind, and the store's, to a status.
#pragma once

#include <stdexcept>
#include <string>

namespace cbit::controller {

/// A field is missing or malformed; the message names it.
struct InvalidInput : std::runtime_error {
  using std::runtime_error::runtime_error;
};

/// The submission is refused by policy (a blacklist rule); the message names the rule.
struct Refused : std::runtime_error {
  using std::runtime_error::runtime_error;
};

}  // namespace cbit::controller
