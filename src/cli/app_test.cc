#include "cli/app.h"

#include <gtest/gtest.h>

#include "cli/test_io.h"

namespace cbit::cli {
namespace {

constexpr int kUsage = static_cast<int>(ExitCode::kUsage);

TEST(CliArgs, HelpForTheProgramAndEverySubcommandExitsZero) {
  TestCli cli;
  EXPECT_EQ(cli.Run({"--help"}), 0);
  EXPECT_NE(cli.out.find("Exit status:"), std::string::npos);
  for (std::vector<std::string> sub : {std::vector<std::string>{"login"},
                                       {"logout"},
                                       {"submit"},
                                       {"jobs"},
                                       {"show"},
                                       {"history"},
                                       {"log"},
                                       {"cancel"},
                                       {"retry"},
                                       {"clients"},
                                       {"watch"},
                                       {"admin"},
                                       {"admin", "suitearch"},
                                       {"admin", "blacklist", "add"}}) {
    sub.push_back("--help");
    EXPECT_EQ(cli.Run(sub), 0) << sub[0];
    EXPECT_NE(cli.out.find("Usage:"), std::string::npos) << sub[0];
  }
}

TEST(CliArgs, MalformedCommandLinesAreUsageErrorsBeforeAnyRequest) {
  TestCli cli;
  cli.env = {{"CBIT_URL", "http://127.0.0.1:1"}};
  EXPECT_EQ(cli.Run({}), kUsage);
  EXPECT_EQ(cli.Run({"frobnicate"}), kUsage);
  EXPECT_EQ(cli.Run({"show"}), kUsage);
  EXPECT_EQ(cli.Run({"show", "abc"}), kUsage);
  EXPECT_EQ(cli.Run({"show", "-3"}), kUsage);
  EXPECT_EQ(cli.Run({"log", "5", "--attempt", "0"}), kUsage);
  EXPECT_EQ(cli.Run({"cancel"}), kUsage);
  EXPECT_NE(cli.err.find("give job ids, --package NAME or --all"), std::string::npos);
  EXPECT_EQ(cli.Run({"cancel", "5", "--all"}), kUsage);
  EXPECT_EQ(cli.Run({"watch"}), kUsage);
  EXPECT_EQ(cli.Run({"admin", "arch"}), kUsage);
  EXPECT_EQ(cli.Run({"jobs", "--since", "1h"}), kUsage);
  EXPECT_NE(cli.err.find("does not offer"), std::string::npos) << cli.err;
}

TEST(CliArgs, WithoutAUrlTheMessageSaysHowToGiveOne) {
  TestCli cli;
  cli.env = {{"HOME", "/nonexistent"}, {"CBIT_SITE_CONFIG", "/nonexistent/cli.json"}};
  EXPECT_EQ(cli.Run({"jobs"}), kUsage);
  EXPECT_NE(cli.err.find("cbit login"), std::string::npos) << cli.err;
  EXPECT_EQ(cli.Run({"--url", "ftp://x", "jobs"}), kUsage);
  EXPECT_NE(cli.err.find("must start with http://"), std::string::npos) << cli.err;
}

TEST(CliArgs, AnUnreachableControllerIsExitThree) {
  TestCli cli;
  cli.env = {{"HOME", "/nonexistent"}, {"CBIT_SITE_CONFIG", "/nonexistent/cli.json"}};
  EXPECT_EQ(cli.Run({"--url", "http://127.0.0.1:1", "jobs"}), 3);
  EXPECT_NE(cli.err.find("cannot reach the controller"), std::string::npos) << cli.err;
}

}  // namespace
}  // namespace cbit::cli
