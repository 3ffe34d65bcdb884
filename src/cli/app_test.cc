#include "cli/app.h"

#include <gtest/gtest.h>
#include <httplib.h>

#include <thread>

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
  EXPECT_EQ(cli.Run({"jobs", "--since", "1y"}), kUsage);
  EXPECT_NE(cli.err.find("give an age such as 90s"), std::string::npos) << cli.err;
  EXPECT_EQ(cli.Run({"jobs", "--since", "h"}), kUsage);
  EXPECT_EQ(cli.Run({"jobs", "--since", "1h", "--all"}), kUsage);
  EXPECT_EQ(cli.Run({"jobs", "--limit", "501"}), kUsage);
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

namespace cbit::cli {
namespace {

// A server that answers what no cbit controller would: the command reports
// it (exit 1, or 3 for a 5xx) and never crashes.
TEST(CliAnswers, AnswersOfAnotherShapeAreReportedNotCrashedOn) {
  httplib::Server server;
  server.Get("/job", [](const auto& req, auto& res) {
    res.set_content(req.has_param("before") ? "[1, 2]" : "{\"rows\": 3}", "application/json");
  });
  server.Get("/job/count",
             [](const auto&, auto& res) { res.set_content("\"many\"", "application/json"); });
  server.Get("/job/1", [](const auto&, auto& res) { res.set_content("<html>", "text/html"); });
  server.Get("/job/2",
             [](const auto&, auto& res) { res.set_content("[1, 2]", "application/json"); });
  server.Get("/buildd/heartbeats", [](const auto&, auto& res) {
    res.status = 503;
    res.set_content("{\"error\": \"the database cannot be reached\"}", "application/json");
  });
  int port = server.bind_to_any_port("127.0.0.1");
  std::thread t([&] { server.listen_after_bind(); });
  TestCli cli;
  cli.env = {{"HOME", "/nonexistent"},
             {"CBIT_SITE_CONFIG", "/nonexistent"},
             {"CBIT_URL", "http://127.0.0.1:" + std::to_string(port)}};
  EXPECT_EQ(cli.Run({"jobs"}), 1);
  EXPECT_NE(cli.err.find("the answer is not a list"), std::string::npos) << cli.err;
  EXPECT_EQ(cli.Run({"jobs", "--before", "9"}), 1);
  EXPECT_NE(cli.err.find("a job without an id"), std::string::npos) << cli.err;
  EXPECT_EQ(cli.Run({"jobs", "--page", "2"}), 1);
  EXPECT_NE(cli.err.find("unexpected answer"), std::string::npos) << cli.err;
  EXPECT_EQ(cli.Run({"show", "1"}), 1);
  EXPECT_NE(cli.err.find("not JSON"), std::string::npos) << cli.err;
  EXPECT_EQ(cli.Run({"show", "2"}), 1);
  EXPECT_EQ(cli.Run({"clients"}), 3);
  EXPECT_NE(cli.err.find("the database cannot be reached"), std::string::npos) << cli.err;
  server.stop();
  t.join();
}

}  // namespace
}  // namespace cbit::cli
