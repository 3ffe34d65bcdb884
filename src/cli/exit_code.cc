#include "cli/exit_code.h"

namespace cbit::cli {

ExitCode ExitCodeOfStatus(int status) {
  if (status == 0 || status >= 500) return ExitCode::kUnreachable;
  if (status == 401 || status == 403) return ExitCode::kNotAuthorized;
  if (status == 404) return ExitCode::kNotFound;
  if (status >= 200 && status < 300) return ExitCode::kOk;
  return ExitCode::kFailed;
}

CliError FromApiError(const http::ApiError& e) {
  std::string msg = e.what();
  if (e.status == 401) msg += " (sign in with `cbit login`, or set CBIT_TOKEN)";
  if (e.status == 403) msg += " (these credentials' role may not do this)";
  if (e.status == 0)
    msg = "cannot reach the controller: " + msg +
          " error (is it running? check --url, CBIT_URL or `cbit login`)";
  return CliError(ExitCodeOfStatus(e.status), msg);
}

}  // namespace cbit::cli
