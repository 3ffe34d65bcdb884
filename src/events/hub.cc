#include "events/hub.h"

#include <spdlog/spdlog.h>

#include <algorithm>

namespace cbit::events {

// Under the lock.
template <typename Match>
void Hub::Fanout(const std::string& text, Match matches) {
  std::erase_if(subs_, [&](Subscriber& s) { return matches(s) && !s.stream->Send(text); });
}

Hub::Hub(Source& source, HubOptions options)
    : source_(source), options_(options), seq_(source.LatestJobEvent()) {
  cursor_ = floor_ = seq_.cursor();
  next_keepalive_ = Clock::now() + options_.keepalive;
  thread_ = std::thread([this] { Run(); });
}

Hub::~Hub() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  thread_.join();
  for (auto& s : subs_) s.stream->Close();
  for (auto& p : pending_) p.sub.stream->Close();
}

void Hub::Wake() {
  bool notify;
  {
    std::lock_guard lock(mu_);
    // With no stream open, only the first change since the last read needs
    // the thread (to wait for the next poll instead of an hour): a busy
    // farm nobody watches does not wake it at every submission.
    notify = !woken_ || !subs_.empty() || !pending_.empty();
    woken_ = true;
    notified_ = notified_ || notify;
  }
  if (notify) cv_.notify_one();
}

void Hub::Subscribe(std::shared_ptr<httpd::PushStream> stream, Filter filter,
                    std::optional<Id> since) {
  {
    std::lock_guard lock(mu_);
    pending_.push_back({{std::move(stream), std::move(filter)}, since});
    notified_ = true;
  }
  cv_.notify_one();
}

std::size_t Hub::streams() const {
  std::lock_guard lock(mu_);
  return subs_.size() + pending_.size();
}

Id Hub::cursor() const {
  std::lock_guard lock(mu_);
  return cursor_;
}

std::uint64_t Hub::reads() const {
  std::lock_guard lock(mu_);
  return reads_;
}

std::uint64_t Hub::wakeups() const {
  std::lock_guard lock(mu_);
  return wakeups_;
}

// Under the lock. With no stream open, a change is read at most once per
// poll interval, so that a busy farm nobody watches costs few reads.
Hub::Plan Hub::Decide(Clock::time_point now) {
  notified_ = false;
  const bool streams = !subs_.empty() || !pending_.empty();
  const bool poll_due = now >= next_poll_;
  Plan p;
  p.jobs = !pending_.empty() || (woken_ && (streams || poll_due)) || (streams && poll_due) ||
           (streams && seq_.holding() && now >= next_hold_);
  p.clients = streams && (!pending_.empty() || poll_due);
  p.keepalive = !subs_.empty() && now >= next_keepalive_;
  if (p.jobs) woken_ = false;
  if ((p.jobs || p.clients) && poll_due) next_poll_ = now + options_.poll;
  if (p.keepalive) next_keepalive_ = now + options_.keepalive;
  return p;
}

Hub::Clock::time_point Hub::Deadline(Clock::time_point now) const {
  if (subs_.empty() && pending_.empty()) return woken_ ? next_poll_ : now + std::chrono::hours(1);
  if (seq_.holding()) return std::max(now, next_hold_);
  return std::min(next_poll_, next_keepalive_);
}

void Hub::Run() {
  std::unique_lock lock(mu_);
  while (!stop_) {
    const auto now = Clock::now();
    const Plan p = Decide(now);
    if (p.jobs || p.clients || p.keepalive) {
      lock.unlock();
      if (p.jobs) ReadJobs();
      if (p.clients) ReadClients();
      if (p.keepalive) KeepAlive();
      lock.lock();
      continue;
    }
    cv_.wait_until(lock, Deadline(now), [this] { return stop_ || notified_; });
    ++wakeups_;
  }
}

void Hub::ReadJobs() {
  for (;;) {
    store::JobEventBatch batch;
    try {
      batch = source_.JobEventsAfter(seq_.cursor(), options_.batch);
      if (failing_) spdlog::info("events: reading the job history again");
      failing_ = false;
    } catch (const std::exception& e) {
      if (!failing_) spdlog::warn("events: reading the job history: {}; trying again", e.what());
      failing_ = true;
      break;
    }
    std::vector<Id> ids;
    ids.reserve(batch.events.size());
    for (const auto& e : batch.events) ids.push_back(e.id);
    const std::size_t n = seq_.Accept(ids, batch.bounds);
    std::vector<Kept> fresh;
    fresh.reserve(n);
    for (std::size_t i = 0; i < n; ++i) {
      std::string text = JobEventText(batch.events[i]);
      fresh.push_back({batch.events[i].id, std::move(batch.events[i]), std::move(text)});
    }
    {
      std::lock_guard lock(mu_);
      ++reads_;
      for (auto& k : fresh) {
        Fanout(k.text, [&](const Subscriber& s) { return s.filter.Matches(k.event); });
        kept_.push_back(std::move(k));
      }
      while (kept_.size() > options_.kept) {
        floor_ = kept_.front().id;
        kept_.pop_front();
      }
      cursor_ = seq_.cursor();
    }
    if (batch.events.size() < static_cast<std::size_t>(options_.batch) || n < ids.size()) break;
  }
  std::lock_guard lock(mu_);
  next_hold_ = Clock::now() + options_.hold_retry;
  StartPending();
}

std::optional<std::vector<const Hub::Kept*>> Hub::Replay(Id since, const Filter& f,
                                                         std::string& why) const {
  if (since < floor_) {
    why = "the events after " + std::to_string(since) + " are no longer kept";
    return std::nullopt;
  }
  if (since > cursor_) {
    why = "event " + std::to_string(since) + " is not known here";
    return std::nullopt;
  }
  auto it = std::upper_bound(kept_.begin(), kept_.end(), since,
                             [](Id id, const Kept& k) { return id < k.id; });
  std::vector<const Kept*> out;
  std::size_t bytes = 0;
  for (; it != kept_.end(); ++it) {
    if (!f.Matches(it->event)) continue;
    bytes += it->text.size();
    if (bytes > options_.replay_bytes) {
      why = "too many events after " + std::to_string(since) + " to replay";
      return std::nullopt;
    }
    out.push_back(&*it);
  }
  return out;
}

// A stream starts with a retry delay for the browser's reconnection, the
// events it missed (or a reset), then `ready`.
void Hub::StartPending() {
  for (auto& p : pending_) {
    std::string head = "retry: 2000\n\n";
    if (p.since) {
      std::string why;
      if (auto replay = Replay(*p.since, p.sub.filter, why)) {
        for (const Kept* k : *replay) head += k->text;
      } else {
        head += ResetText(cursor_, why);
      }
    }
    head += ReadyText(cursor_);
    if (p.sub.stream->Send(std::move(head))) subs_.push_back(std::move(p.sub));
  }
  pending_.clear();
}

void Hub::ReadClients() {
  std::vector<store::ClientState> states;
  try {
    states = source_.ClientStates();
  } catch (const std::exception& e) {
    spdlog::warn("events: reading the build clients: {}", e.what());
    return;
  }
  std::lock_guard lock(mu_);
  ++reads_;
  std::map<Id, store::ClientState> now;
  std::vector<const store::ClientState*> changed;
  for (auto& s : states) {
    const Id id = s.id;
    auto old = clients_.find(id);
    auto& kept = now[id];
    kept = std::move(s);
    if (old == clients_.end() || !(old->second == kept)) changed.push_back(&kept);
  }
  clients_ = std::move(now);
  for (auto& sub : subs_) {
    std::string text;
    if (!sub.has_clients) {
      for (const auto& [_, c] : clients_)
        if (sub.filter.Matches(c)) text += ClientEventText(c);
      sub.has_clients = true;
    } else {
      for (const auto* c : changed)
        if (sub.filter.Matches(*c)) text += ClientEventText(*c);
    }
    if (!text.empty()) sub.stream->Send(std::move(text));
  }
  std::erase_if(subs_, [](const Subscriber& s) { return s.stream->closed(); });
}

void Hub::KeepAlive() {
  std::lock_guard lock(mu_);
  const std::string text(kKeepAlive);
  Fanout(text, [](const Subscriber&) { return true; });
}

}  // namespace cbit::events
