#include "cli/events.h"

#include <map>

#include "cli/job_view.h"
#include "cli/wait.h"

namespace cbit::cli {
namespace {

class Polling : public EventStream {
 public:
  Polling(Context& ctx, std::vector<std::int64_t> jobs, std::chrono::milliseconds poll)
      : ctx_(ctx), jobs_(std::move(jobs)), poll_(poll), read_(ControllerStates(ctx)) {}

  std::vector<StatusEvent> Next() override {
    if (started_) ctx_.io.sleep(poll_);
    started_ = true;
    std::vector<StatusEvent> events;
    for (const auto& [id, s] : ReadStates(ctx_, read_, jobs_, known_)) {
      auto& known = known_[id];
      if (known.status == s.status) continue;
      known = s;
      events.push_back({id, s.status, s.time});
    }
    return events;
  }

 private:
  Context& ctx_;
  std::vector<std::int64_t> jobs_;
  std::chrono::milliseconds poll_;
  StateSource read_;
  std::map<std::int64_t, JobState> known_;
  bool started_ = false;
};

}  // namespace

std::map<std::int64_t, JobState> ReadStates(Context& ctx, const StateSource& read,
                                            const std::vector<std::int64_t>& jobs,
                                            const std::map<std::int64_t, JobState>& known) {
  std::map<std::int64_t, JobState> now;
  auto finished = [&](std::int64_t id) {
    auto k = known.find(id);
    return k != known.end() && IsFinished(k->second.status);
  };
  if (!jobs.empty()) {
    for (auto id : jobs) now[id] = finished(id) ? known.at(id) : read(id);
    return now;
  }
  // Jobs in the unfinished lists carry their list's status; a known job no
  // longer in any has finished: its history says how.
  for (const char* status : {"Waiting", "Blocked", "Building"}) {
    std::string path = std::string("/job/status/") + status;
    for (const auto& j : ParseAnswer(ctx.controller().Get(path), "GET " + path))
      now[JobRowOf(j).id] = {status, ""};
  }
  for (const auto& [id, s] : known)
    if (!now.count(id) && !IsFinished(s.status)) now[id] = read(id);
  return now;
}

std::unique_ptr<EventStream> PollingEvents(Context& ctx, std::vector<std::int64_t> jobs,
                                           std::chrono::milliseconds poll) {
  return std::make_unique<Polling>(ctx, std::move(jobs), poll);
}

}  // namespace cbit::cli
