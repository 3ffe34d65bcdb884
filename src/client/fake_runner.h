// A Runner for unit tests: records every command instead of running it and
// answers from a script, so the argv of each step can be checked exactly.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "client/runner.h"

namespace cbit::client {

class FakeRunner final : public Runner {
 public:
  /// Decides a command's result; its `output` is also written to the sink.
  using Responder = std::function<CommandResult(const Command&)>;

  /// Every command run so far, in order.
  std::vector<Command> commands;
  /// When unset, every command succeeds with no output.
  Responder respond;

  CommandResult Run(const Command& cmd, const LogSink& sink, const CancelHook& cancel) override;

  /// The argv of every command run so far.
  std::vector<std::vector<std::string>> Argvs() const;
};

}  // namespace cbit::client
