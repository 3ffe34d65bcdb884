// cbit login / logout: the controller URL and credentials in the user's
// config file, checked against the controller before they are stored.
#include <nlohmann/json.hpp>

#include "cli/app.h"

namespace cbit::cli {
namespace {

std::string ErrorMessage(const std::string& body) {
  auto j = nlohmann::json::parse(body, nullptr, false);
  if (j.is_object() && j.contains("error") && j["error"].is_string())
    return j["error"].get<std::string>();
  return body;
}

// The first line of stdin (a script's secret), or a prompt on the terminal.
std::string Secret(Io& io, const std::string& prompt) {
  if (io.in_terminal) return io.ask(prompt, true);
  std::string line;
  std::getline(io.in, line);
  if (!line.empty() && line.back() == '\r') line.pop_back();
  return line;
}

// Checks the credentials with requests that change nothing: an empty
// submission (400 when the role may submit, 403 when not, 401 when the
// credentials are wrong) and an empty PUT /arch (400 only for an admin).
std::string ProbeRole(Controller& c) {
  auto [status, body] = c.Probe("POST", "/job/vcshook");
  std::string what = "POST " + c.url() + "/job/vcshook: HTTP " + std::to_string(status) + ": ";
  if (status == 0) throw CliError(ExitCode::kUnreachable, "cannot reach " + c.url() + ": " + body);
  if (status == 401 || status == 429)
    throw CliError(ExitCode::kNotAuthorized, what + ErrorMessage(body));
  if (status == 404)
    throw CliError(ExitCode::kNotFound, c.url() + " is not a cbit controller (" + what + ")");
  if (status >= 500) throw CliError(ExitCode::kUnreachable, what + ErrorMessage(body));
  if (status != 400 && status != 403) throw CliError(ExitCode::kFailed, what + ErrorMessage(body));
  if (status == 403) return "a role that may read only";
  return c.Probe("PUT", "/arch").first == 400 ? "admin" : "a role that may submit";
}

ExitCode Login(Context& ctx, const std::string& user) {
  Io& io = ctx.io;
  std::string path = UserConfigPath(io.env);
  Settings stored = ReadSettingsFile(path, {});
  Settings s;
  s.url = ctx.url_option.empty() ? io.env("CBIT_URL").value_or("") : ctx.url_option;
  if (s.url.empty() && io.in_terminal) {
    s.url = io.ask("Controller URL" + (stored.url.empty() ? "" : " [" + stored.url + "]") + ": ",
                   false);
    if (s.url.empty()) s.url = stored.url;
  }
  if (s.url.empty()) s.url = stored.url;
  if (s.url.empty()) throw CliError(ExitCode::kUsage, "no controller URL: give --url");
  while (!s.url.empty() && s.url.back() == '/') s.url.pop_back();
  if (!user.empty()) {
    s.credentials = {.user = user, .password = Secret(io, "Password for " + user + ": ")};
  } else {
    s.credentials.token = Secret(io, "API token (empty: sign in with a user name and password): ");
    if (s.credentials.token.empty() && io.in_terminal) {
      s.credentials.user = io.ask("User: ", false);
      s.credentials.password = io.ask("Password: ", true);
    }
  }
  if (s.credentials.token.empty() && s.credentials.user.empty())
    throw CliError(ExitCode::kUsage, "no token given (on stdin, or --user NAME and a password)");
  Controller c(s);
  std::string role = ProbeRole(c);
  WriteUserConfig(path, s);
  io.out << "Signed in to " << s.url << " (" << role << "); saved in " << path << "\n";
  return ExitCode::kOk;
}

}  // namespace

void AddAuthCommands(CLI::App& app, Context& ctx) {
  auto user = std::make_shared<std::string>();
  CLI::App* login = app.add_subcommand(
      "login",
      "store the controller URL and credentials after checking them; asks for them on a "
      "terminal (secrets without echo), else reads the token (or with --user the password) "
      "from the first line of stdin");
  login->add_option("--user", *user, "sign in with this user name and a password, not a token");
  login->callback([&ctx, user] { ctx.action = [&ctx, user] { return Login(ctx, *user); }; });
  CLI::App* logout = app.add_subcommand("logout", "forget the stored URL and credentials");
  logout->callback([&ctx] {
    ctx.action = [&ctx] {
      std::string path = UserConfigPath(ctx.io.env);
      ctx.io.out << (RemoveUserConfig(path) ? "Removed " : "Nothing stored in ") << path << "\n";
      return ExitCode::kOk;
    };
  });
}

}  // namespace cbit::cli
