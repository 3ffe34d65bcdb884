#include "client/job_slots.h"

#include <utility>

namespace cbit::client {

JobSlots::JobSlots(int capacity, std::function<bool()> stopping)
    : capacity_(capacity < 1 ? 1 : capacity), stopping_(std::move(stopping)) {}

JobSlots::~JobSlots() { JoinAll(); }

bool JobSlots::Holds(Id job) const {
  for (const auto& s : running_) {
    if (s->job.request.job.id == job) return true;
  }
  return false;
}

bool JobSlots::AnyBefore(int generation) const {
  for (const auto& s : running_) {
    if (s->job.generation < generation) return true;
  }
  return false;
}

void JobSlots::Start(Job job, Work work) {
  auto slot = std::make_unique<Slot>();
  slot->job = std::move(job);
  Slot* s = slot.get();
  running_.push_back(std::move(slot));
  // The worker writes only its slot's report and flags; the slot stays put
  // (held by pointer) until its thread is joined.
  s->worker = std::thread([this, s, work = std::move(work)] {
    JobSignals signals{[s] { return s->cancelled.load(); }, [this] { return stopping_(); }};
    s->job.report = work(s->job, signals);
    s->done = true;
  });
}

bool JobSlots::Cancel(Id job) {
  bool found = false;
  for (const auto& s : running_) {
    if (s->job.request.job.id == job) {
      s->cancelled = true;
      found = true;
    }
  }
  return found;
}

std::vector<JobSlots::Job> JobSlots::TakeFinished() { return Take(false); }

std::vector<JobSlots::Job> JobSlots::JoinAll() { return Take(true); }

std::vector<JobSlots::Job> JobSlots::Take(bool wait) {
  std::vector<Job> out;
  for (auto it = running_.begin(); it != running_.end();) {
    Slot& s = **it;
    if (!wait && !s.done) {
      ++it;
      continue;
    }
    if (s.worker.joinable()) s.worker.join();
    out.push_back(std::move(s.job));
    it = running_.erase(it);
  }
  return out;
}

}  // namespace cbit::client
