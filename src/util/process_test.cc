#include "util/process.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>

namespace cbit::process {
namespace {

struct Settings {
  int port = 8080;
  std::string level = "info";
  bool dry_run = false;
  std::string db;
};

// argv for CLI11 from literals.
std::optional<int> Parse(CLI::App& app, std::vector<std::string> args) {
  std::vector<char*> argv;
  argv.reserve(args.size());
  for (auto& a : args) argv.push_back(a.data());
  return ParseCommandLine(app, static_cast<int>(argv.size()), argv.data());
}

TEST(CliOverrides, OnlyTheOptionsGivenReplaceTheConfig) {
  CLI::App app;
  CliOverrides<Settings> o(app);
  o.Add("--port", &Settings::port, "");
  o.Add("--level", &Settings::level, "");
  o.AddFlag("--dry-run", &Settings::dry_run, "");
  o.AddParsed(
      "--db", [](Settings& s, const std::string& v) { s.db = "parsed:" + v; }, "");
  ASSERT_EQ(Parse(app, {"prog", "--port", "0", "--dry-run", "--db", "x"}), std::nullopt);
  Settings from_file{.port = 9000, .level = "debug"};
  o.ApplyTo(from_file);
  EXPECT_EQ(from_file.port, 0);
  EXPECT_EQ(from_file.level, "debug");
  EXPECT_TRUE(from_file.dry_run);
  EXPECT_EQ(from_file.db, "parsed:x");
}

TEST(ParseCommandLine, AnErrorIsBadConfigNotCli11sOwnStatus) {
  CLI::App app;
  int port = 0;
  app.add_option("--port", port);
  EXPECT_EQ(Parse(app, {"prog", "--nope"}), static_cast<int>(ExitCode::kBadConfig));
  CLI::App help;
  EXPECT_EQ(Parse(help, {"prog", "--help"}), 0);
}

TEST(Run, HowTheBodyEndedIsTheExitStatus) {
  EXPECT_EQ(process::Run("t", [] {}), 0);
  EXPECT_EQ(process::Run("t", [] { throw ConfigError("bad key"); }), 1);
  EXPECT_EQ(process::Run("t", [] { throw StartupError("no such directory"); }), 2);
}

TEST(StopSignals, SigtermRequestsTheStopAndRunsCallbacks) {
  StopSignals stop;
  std::atomic<bool> called{false};
  std::stop_callback cb(stop.token(), [&] { called = true; });
  EXPECT_FALSE(stop.requested());
  ASSERT_EQ(::kill(::getpid(), SIGTERM), 0);
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (!stop.requested() && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  EXPECT_TRUE(stop.requested());
  EXPECT_TRUE(stop.flag());
  EXPECT_TRUE(called);
}

TEST(StopSignals, EndsWithoutASignal) {
  sigset_t before, after;
  pthread_sigmask(SIG_BLOCK, nullptr, &before);
  { StopSignals stop; }
  pthread_sigmask(SIG_BLOCK, nullptr, &after);
  EXPECT_EQ(sigismember(&after, SIGTERM), sigismember(&before, SIGTERM));
}

}  // namespace
}  // namespace cbit::process
