// cbit-sandbox: the isolated builder's runner (sandbox.h). The build client
// runs it from an argument vector; `chroot create` uses it to unpack, update
// and remove roots owned by the mapped ids.
#include <CLI/CLI.hpp>
#include <cstdio>
#include <stdexcept>

#include "sandbox/sandbox.h"

namespace {

constexpr const char* kDescription = R"(cbit-sandbox - run commands in a throw-away root

  cbit-sandbox [OPTIONS] -- COMMAND [ARG...] [{--and|--or} COMMAND [ARG...]]...

Runs each COMMAND in turn, stopping at the first that fails (a command
after --or runs only when the one before it failed, and stands in for it),
as uid 0 of a
new user namespace (the caller mapped to 0, its first range of /etc/subuid
and /etc/subgid to 1..n) with new mount, PID, IPC and UTS namespaces. With
--root the commands see only that directory through an overlay whose upper
layer is a tmpfs on --scratch (all they write outside the bind mounts is
gone when the sandbox ends), a private /dev, /proc and devpts, and the bind
mounts given. A command runs in a network namespace with only a loopback
device unless it is one of the first --online-steps (or --net). When the
sandbox's first process ends, every process left in it is killed. The
environment is a clean one (PATH, HOME=/root, LANG=C.UTF-8,
DEBIAN_FRONTEND=noninteractive) plus --env; file descriptors above 2 are
closed. Before each command it runs, the line "cbit-sandbox: running step
N of M: COMMAND" goes to stderr.

EXIT STATUS
  0 every command succeeded; 125 the sandbox could not be made; otherwise
  the failed command's status (128+signal when killed), after the line
  "cbit-sandbox: step N of M failed: ..." on stderr.
)";

void SplitSteps(const std::vector<std::string>& words, cbit::sandbox::Options& o) {
  o.steps.assign(1, {});
  o.fallback.assign(1, false);
  for (const auto& w : words) {
    if (w == "--and" || w == "--or") {
      o.steps.emplace_back();
      o.fallback.push_back(w == "--or");
    } else {
      o.steps.back().push_back(w);
    }
  }
}

}  // namespace

int main(int argc, char** argv) {  // NOLINT(bugprone-exception-escape)
  CLI::App app{kDescription, "cbit-sandbox"};
  cbit::sandbox::Options o;
  std::vector<std::string> binds, ro_binds, words;
  app.add_option("--root", o.root, "the prepared root directory");
  app.add_option("--scratch", o.scratch, "an empty directory for the overlay's tmpfs");
  app.add_flag("--writable-root", o.writable_root, "write to the root itself (no overlay)");
  app.add_option("--bind", binds, "SOURCE:TARGET, read-write");
  app.add_option("--ro-bind", ro_binds, "SOURCE:TARGET, read-only");
  app.add_option("--chdir", o.chdir, "working directory of the commands (default /)");
  app.add_option("--hostname", o.hostname, "host name inside (default cbit-build)");
  app.add_option("--online-steps", o.online_steps, "the first N commands keep the network");
  app.add_flag("--net", o.network_all, "every command keeps the host's network");
  app.add_option("--online-lock", o.online_lock,
                 "a host path locked (flock) while the online commands run");
  app.add_option("--env", o.env, "NAME=value for the commands");
  app.add_option("command", words, "the commands, separated by --and or --or");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : cbit::sandbox::kSetupFailed;
  }
  try {
    for (const auto& b : binds) o.binds.push_back(cbit::sandbox::ParseBind(b, false));
    for (const auto& b : ro_binds) o.binds.push_back(cbit::sandbox::ParseBind(b, true));
  } catch (const std::invalid_argument& e) {
    std::fprintf(stderr, "cbit-sandbox: %s\n", e.what());
    return cbit::sandbox::kSetupFailed;
  }
  SplitSteps(words, o);
  if (std::string problem = cbit::sandbox::Check(o); !problem.empty()) {
    std::fprintf(stderr, "cbit-sandbox: %s\n", problem.c_str());
    return cbit::sandbox::kSetupFailed;
  }
  return cbit::sandbox::Run(o);
}
