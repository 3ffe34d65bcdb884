#include "client/runner.h"

namespace cbit::client {

void Log(const LogSink& sink, std::string_view text) {
  if (sink) sink(text);
}

CommandResult SubprocessRunner::Run(const Command& cmd, const LogSink& sink,
                                    const CancelHook& cancel) {
  Log(sink, "$ " + DescribeArgv(cmd.argv) + "\n");
  std::string tail;
  auto tee = [&](std::string_view chunk) {
    Log(sink, chunk);
    tail.append(chunk);
    if (tail.size() > 2 * kOutputTail) tail.erase(0, tail.size() - kOutputTail);
  };
  CommandResult result = RunCommand(cmd, tee, cancel);
  if (tail.size() > kOutputTail) tail.erase(0, tail.size() - kOutputTail);
  result.output = std::move(tail);
  return result;
}

CommandResult DryRunRunner::Run(const Command& cmd, const LogSink& sink, const CancelHook&) {
  Log(sink, "[dry-run] $ " + DescribeArgv(cmd.argv) + "\n");
  CommandResult result;
  result.exit_code = 0;
  return result;
}

}  // namespace cbit::client
