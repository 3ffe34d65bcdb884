// The exit statuses of `cbit` (its --help and man page list them) and the
// one error type its commands throw: a message for the user and the status
// to end with.
#pragma once

#include <stdexcept>
#include <string>

#include "http/api_error.h"

namespace cbit::cli {

enum class ExitCode : int {
  kOk = 0,             ///< done; every job followed ended well
  kFailed = 1,         ///< a job failed or was cancelled, or the controller refused the request
  kUsage = 2,          ///< the command line or a config file is wrong
  kUnreachable = 3,    ///< the controller could not be reached (or is unavailable: 5xx)
  kNotAuthorized = 4,  ///< 401 or 403: sign in (cbit login) or use a role that may do it
  kNotFound = 5,       ///< 404: no such job, client or name
};

/// What ends a command: `message` goes to stderr as "cbit: <message>".
struct CliError : std::runtime_error {
  CliError(ExitCode c, const std::string& what) : std::runtime_error(what), code(c) {}
  ExitCode code;
};

/// The exit status for an answer of HTTP `status` (0: no answer came).
ExitCode ExitCodeOfStatus(int status);

/// An ApiError as the user sees it: the controller's message, with a hint of
/// what to do for 401 and 403.
CliError FromApiError(const http::ApiError& e);

}  // namespace cbit::cli
