#include "watcher/reporter.h"

#include <spdlog/spdlog.h>

#include <algorithm>

#include "core/model.h"
#include "core/utf8.h"
#include "journal/fields.h"

namespace cbit::watcher {

void Reporter::Add(UploadOutcome outcome, Clock::time_point now) {
  std::string path;
  if (spool_) {
    try {
      path = spool_->Add({outcome, std::nullopt, std::nullopt});
    } catch (const std::exception& e) {
      spdlog::error("{}: the report is kept in memory only: {}", outcome.changes, e.what());
    }
  }
  if (opts_.added) opts_.added(outcome);
  pending_.push_back({std::move(outcome), now, now});
  pending_.back().spool_path = std::move(path);
  Waiting();
}

void Reporter::Resume(Clock::time_point now) {
  if (!spool_) return;
  for (Spool::Entry& e : spool_->Load()) {
    spdlog::info("{}: a report from an earlier run, sent again ({})", e.report.outcome.changes,
                 e.path);
    Pending p{std::move(e.report.outcome), now, now};
    p.job = e.report.job;
    p.log_end = e.report.log_end;
    p.spool_path = std::move(e.path);
    pending_.push_back(std::move(p));
  }
  Waiting();
}

bool Reporter::Holds(const std::string& changes) const {
  return std::any_of(pending_.begin(), pending_.end(),
                     [&](const Pending& p) { return p.outcome.changes == changes; });
}

void Reporter::Remember(const Pending& p) {
  if (!spool_ || p.spool_path.empty()) return;
  try {
    spool_->Update(p.spool_path, {p.outcome, p.job, p.log_end});
  } catch (const std::exception& e) {
    // Sent all the same: at worst a restart appends the text twice.
    spdlog::error("{}: cannot update its spool file: {}", p.outcome.changes, e.what());
  }
}

void Reporter::Flush(Clock::time_point now) {
  for (auto it = pending_.begin(); it != pending_.end();) {
    if (it->due > now) {
      ++it;
      continue;
    }
    bool finished = false;
    try {
      finished = Send(*it, now);
    } catch (const ApiError& e) {
      if (!e.retryable()) {
        spdlog::error("{}: the controller refused the report, giving up: {}", it->outcome.changes,
                      e.what());
        finished = true;
      } else {
        it->delay = std::min(opts_.max_delay, std::max(opts_.first_delay, it->delay * 2));
        spdlog::warn("{}: controller unavailable, next try in {} ms: {}", it->outcome.changes,
                     it->delay.count(), e.what());
        it->due = now + it->delay;
      }
    }
    if (finished && spool_ && !it->spool_path.empty()) spool_->Remove(it->spool_path);
    it = finished ? pending_.erase(it) : std::next(it);
  }
  Waiting();
}

std::optional<Reporter::Clock::time_point> Reporter::NextDue() const {
  std::optional<Clock::time_point> out;
  for (const Pending& p : pending_)
    if (!out || p.due < *out) out = p.due;
  return out;
}

// Picking the job: the newest job of that package version (and arch) whose
// current status is Done. A job not yet Done may be the one whose client has
// uploaded and not yet reported Done (or lost its lease and builds it again):
// wait for it (building_grace). The queries are not one snapshot, so Done
// is asked again after the others: a job that turned Done between the
// first look and the look at Building is found, not taken for absent.
// Nothing matches: a manual upload, published without a job.
std::optional<Id> Reporter::FindDoneJob(Pending& p, Clock::time_point now) {
  const UploadOutcome& o = p.outcome;
  auto find = [&](const char* status) {
    return api_.FindJobs(o.source, o.version, o.arch, status);
  };
  std::vector<Id> done = find(status::kDone);
  if (!done.empty()) return done.back();
  bool unfinished = false;
  for (const char* status : {status::kBuilding, status::kWaiting, status::kBlocked})
    unfinished = unfinished || !find(status).empty();
  if (unfinished && now - p.added < opts_.building_grace) {
    p.delay = opts_.first_delay;
    p.due = now + p.delay;
    spdlog::info("{}: its job is not Done yet; waiting for Done", o.changes);
    return std::nullopt;
  }
  done = find(status::kDone);
  if (!done.empty()) return done.back();
  spdlog::info("{}: no Done job of {} {} {} (a manual upload?); {}", o.changes, o.source, o.version,
               o.arch.empty() ? "any arch" : o.arch, o.published ? "published" : "not published");
  p.manual = true;
  return std::nullopt;
}

bool Reporter::Send(Pending& p, Clock::time_point now) {
  const UploadOutcome& o = p.outcome;
  if (!p.job) {
    p.job = FindDoneJob(p, now);
    if (!p.job) return p.manual;
  }
  journal::ScopedFields fields;
  fields.Job(*p.job);
  if (!p.log_sent) {
    try {
      if (!p.log_end) {
        p.log_end = api_.LogEndOf(*p.job);
        Remember(p);
      }
      if (p.log_end->attempt > 0) {
        api_.AppendLog(*p.job, p.log_end->attempt, p.log_end->length, utf8::Sanitize(o.log));
      }
    } catch (const ApiError& e) {
      if (e.retryable()) throw;
      spdlog::warn("job {}: the log could not be appended: {}", *p.job, e.what());
    }
    p.log_sent = true;
  }
  const char* status = o.published ? status::kUploaded : status::kFailed;
  api_.ReportStatus(*p.job, status);
  spdlog::info("job {}: {} ({})", *p.job, status, o.changes);
  return true;
}

}  // namespace cbit::watcher
