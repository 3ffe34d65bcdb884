// Runs `cbit` in the test program on string streams, with an environment of
// its own and no real sleeping, for unit and integration tests.
#pragma once

#include <chrono>
#include <map>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "cli/app.h"

namespace cbit::cli {

struct TestCli {
  std::map<std::string, std::string> env;
  std::string stdin_text;
  std::string out, err;
  bool terminal = false;
  /// Answers of the terminal prompts, in order.
  std::vector<std::string> answers;
  /// Real sleeps (integration tests poll a real controller) or none.
  bool real_sleep = false;
  /// The real clock (ages against a real controller's times), or a fixed one.
  bool real_clock = false;

  int Run(std::vector<std::string> args) {
    std::istringstream in(stdin_text);
    std::ostringstream o, e;
    Io io{in, o, e, terminal, terminal, terminal};
    io.env = [this](const std::string& k) -> std::optional<std::string> {
      auto it = env.find(k);
      if (it == env.end() || it->second.empty()) return std::nullopt;
      return it->second;
    };
    std::size_t next = 0;
    io.ask = [this, &next](const std::string&, bool) {
      return next < answers.size() ? answers[next++] : std::string();
    };
    io.now = [real = real_clock] {
      if (!real) return std::int64_t{1800000000};
      return static_cast<std::int64_t>(std::chrono::duration_cast<std::chrono::seconds>(
                                           std::chrono::system_clock::now().time_since_epoch())
                                           .count());
    };
    bool real = real_sleep;
    io.sleep = [real](std::chrono::milliseconds d) {
      if (real) std::this_thread::sleep_for(d);
    };
    args.insert(args.begin(), "cbit");
    std::vector<const char*> argv;
    for (const auto& a : args) argv.push_back(a.c_str());
    int code = cli::Run(static_cast<int>(argv.size()), argv.data(), io);
    out = o.str();
    err = e.str();
    return code;
  }
};

}  // namespace cbit::cli
