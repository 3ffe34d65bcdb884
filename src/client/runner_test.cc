#include "client/runner.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <string>

#include "client/fake_runner.h"
#include "testing/test_dir.h"

namespace cbit::client {

TEST(Runner, SubprocessRunnerLogsArgvAndOutput) {
  std::string log;
  SubprocessRunner runner;
  Command cmd;
  cmd.argv = {"sh", "-c", "echo out; echo err >&2; exit 3"};
  CommandResult r = runner.Run(cmd, [&](std::string_view s) { log += s; }, {});
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_EQ(log, "$ sh -c 'echo out; echo err >&2; exit 3'\nout\nerr\n");
  EXPECT_EQ(r.output, "out\nerr\n");
}

TEST(Runner, DryRunLogsCommandsAndRunsNone) {
  testing::TestDir dir;
  const std::string marker = (dir.path() / "marker").string();
  std::string log;
  DryRunRunner runner;
  Command cmd;
  cmd.argv = {"touch", marker};
  CommandResult r = runner.Run(cmd, [&](std::string_view s) { log += s; }, {});
  EXPECT_TRUE(r.ok());
  EXPECT_FALSE(runner.RunsCommands());
  EXPECT_EQ(log, "[dry-run] $ touch " + marker + "\n");
  EXPECT_FALSE(std::filesystem::exists(marker));
}

TEST(Runner, FakeRecordsArgvAndAnswersFromItsScript) {
  FakeRunner runner;
  runner.respond = [](const Command& c) {
    CommandResult r;
    r.exit_code = c.argv[0] == "false" ? 1 : 0;
    r.output = "said " + c.argv[0] + "\n";
    return r;
  };
  std::string log;
  LogSink sink = [&](std::string_view s) { log += s; };
  EXPECT_TRUE(runner.Run({{"true"}}, sink, {}).ok());
  EXPECT_FALSE(runner.Run({{"false", "x"}}, sink, {}).ok());
  EXPECT_EQ(runner.Argvs(), (std::vector<std::vector<std::string>>{{"true"}, {"false", "x"}}));
  EXPECT_EQ(log, "$ true\nsaid true\n$ false x\nsaid false\n");
}

}  // namespace cbit::client
