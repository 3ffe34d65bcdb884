#include "cli/wait.h"

#include "cli/events.h"
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

ExitCode WaitForJobs(Context& ctx, const std::vector<std::int64_t>& jobs, EventStream& events) {
  Io& io = ctx.io;
  std::map<std::int64_t, JobState> states;
  for (std::int64_t id : jobs) states[id];
  std::int64_t start = io.now();
  std::size_t open = states.size();
  bool bad = false;
  while (open > 0) {
    for (const StatusEvent& e : events.Next()) {
      auto it = states.find(e.job);
      if (it == states.end() || IsFinished(it->second.status) || e.status == it->second.status)
        continue;
      it->second = JobState{e.status, e.time};
      if (!io.err_terminal) io.err << "job " << e.job << ": " << e.status << "\n";
      if (!IsFinished(e.status)) continue;
      if (io.err_terminal) io.err << "\r\033[K";
      io.out << "job " << e.job << ": " << ColourStatus(e.status, ctx.style()) << "\n"
             << std::flush;
      bad = bad || IsBad(e.status);
      --open;
    }
    if (io.err_terminal) io.err << "\r\033[K" << ProgressLine(states, io.now() - start);
    io.err << std::flush;
  }
  if (io.err_terminal) io.err << "\r\033[K" << std::flush;
  return bad ? ExitCode::kFailed : ExitCode::kOk;
}

}  // namespace cbit::cli
