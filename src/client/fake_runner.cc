#include "client/fake_runner.h"

namespace cbit::client {

CommandResult FakeRunner::Run(const Command& cmd, const LogSink& sink, const CancelHook&) {
  commands.push_back(cmd);
  Log(sink, "$ " + DescribeArgv(cmd.argv) + "\n");
  CommandResult result;
  result.exit_code = 0;
  if (respond) result = respond(cmd);
  Log(sink, result.output);
  return result;
}

std::vector<std::vector<std::string>> FakeRunner::Argvs() const {
  std::vector<std::vector<std::string>> out;
  for (const auto& c : commands) out.push_back(c.argv);
  return out;
}

}  // namespace cbit::client
