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
    std::map<std::int64_t, JobState> now = jobs_.empty() ? Unfinished() : Given();
    std::vector<StatusEvent> events;
    for (const auto& [id, s] : now) {
      auto& known = known_[id];
      if (known.status == s.status) continue;
      known = s;
      events.push_back({id, s.status, s.time});
    }
    return events;
  }

 private:
  std::map<std::int64_t, JobState> Given() {
    std::map<std::int64_t, JobState> now;
    for (auto id : jobs_) now[id] = IsFinished(known_[id].status) ? known_[id] : read_(id);
    return now;
  }

  // Jobs in the unfinished lists carry their list's status; a known job no
  // longer in any has finished: its history says how.
  std::map<std::int64_t, JobState> Unfinished() {
    std::map<std::int64_t, JobState> now;
    for (const char* status : {"Waiting", "Blocked", "Building"}) {
      std::string path = std::string("/job/status/") + status;
      for (const auto& j : ParseAnswer(ctx_.controller().Get(path), "GET " + path))
        now[JobRowOf(j).id] = {status, ""};
    }
    for (const auto& [id, s] : known_)
      if (!now.count(id) && !IsFinished(s.status)) now[id] = read_(id);
    return now;
  }

  Context& ctx_;
  std::vector<std::int64_t> jobs_;
  std::chrono::milliseconds poll_;
  StateSource read_;
  std::map<std::int64_t, JobState> known_;
  bool started_ = false;
};

}  // namespace

std::unique_ptr<EventStream> PollingEvents(Context& ctx, std::vector<std::int64_t> jobs,
                                           std::chrono::milliseconds poll) {
  return std::make_unique<Polling>(ctx, std::move(jobs), poll);
}

}  // namespace cbit::cli
