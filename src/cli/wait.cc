#include "cli/wait.h"

#include "cli/job_view.h"

namespace cbit::cli {

std::string ProgressLine(const std::map<std::int64_t, JobState>& states, std::int64_t elapsed) {
  std::map<std::string, int> counts;
  for (const auto& [id, s] : states) ++counts[s.status.empty() ? "?" : s.status];
  std::string line = std::to_string(elapsed) + "s ";
  bool first = true;
  for (const auto& [status, n] : counts) {
    line += (first ? " " : ", ") + std::to_string(n) + " " + status;
    first = false;
  }
  return line;
}

StateSource ControllerStates(Context& ctx) {
  return [&ctx](std::int64_t job) {
    std::string path = "/job/" + std::to_string(job) + "/status";
    for (int tries = 0;; ++tries) {
      try {
        JobRow row;
        ApplyHistory(row, ParseAnswer(ctx.controller().Get(path), "GET " + path));
        return JobState{row.status, row.time};
      } catch (const CliError& e) {
        if (e.code != ExitCode::kUnreachable || tries >= 600) throw;
      }
      ctx.io.sleep(std::chrono::milliseconds(500));
    }
  };
}

ExitCode WaitForJobs(Context& ctx, const std::vector<std::int64_t>& jobs, const StateSource& read,
                     std::chrono::milliseconds poll) {
  Io& io = ctx.io;
  std::map<std::int64_t, JobState> states;
  std::int64_t start = io.now();
  bool bad = false;
  for (;;) {
    bool all_done = true;
    for (std::int64_t id : jobs) {
      JobState& s = states[id];
      if (IsFinished(s.status)) continue;
      JobState now = read(id);
      if (now.status != s.status && !io.err_terminal)
        io.err << "job " << id << ": " << now.status << "\n";
      s = now;
      if (IsFinished(s.status)) {
        if (io.err_terminal) io.err << "\r\033[K";
        io.out << "job " << id << ": " << ColourStatus(s.status, ctx.style()) << "\n" << std::flush;
        bad = bad || IsBad(s.status);
      }
      all_done = all_done && IsFinished(s.status);
    }
    if (io.err_terminal) io.err << "\r\033[K" << ProgressLine(states, io.now() - start);
    if (all_done) break;
    io.err << std::flush;
    io.sleep(poll);
  }
  if (io.err_terminal) io.err << "\r\033[K" << std::flush;
  return bad ? ExitCode::kFailed : ExitCode::kOk;
}

}  // namespace cbit::cli
