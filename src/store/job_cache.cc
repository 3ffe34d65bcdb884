#include "store/job_cache.h"

namespace cbit::store {

JobCache::JobCache(std::size_t capacity, bool enabled)
    : per_shard_((capacity + kShards - 1) / kShards), enabled_(enabled && capacity > 0) {}

std::optional<Job> JobCache::Find(Id id) {
  if (!enabled_.load(std::memory_order_acquire)) return std::nullopt;
  Shard& s = ShardOf(id);
  std::lock_guard lock(s.mu);
  auto it = s.jobs.find(id);
  if (it == s.jobs.end()) return std::nullopt;
  return it->second.job;
}

std::uint64_t JobCache::Ticket(Id id) {
  Shard& s = ShardOf(id);
  std::lock_guard lock(s.mu);
  return s.generation;
}

void JobCache::Fill(const Job& job, std::uint64_t ticket) {
  if (per_shard_ == 0 || !enabled_.load(std::memory_order_acquire)) return;
  Shard& s = ShardOf(job.id);
  std::lock_guard lock(s.mu);
  if (s.generation != ticket) return;  // changed while it was read
  const std::uint64_t fill = ++s.fills;
  s.jobs.insert_or_assign(job.id, Shard::Entry{job, fill});
  s.order.emplace_back(job.id, fill);
  while (s.jobs.size() > per_shard_ || s.order.size() > 2 * per_shard_) {
    auto [id, when] = s.order.front();
    s.order.pop_front();
    auto it = s.jobs.find(id);
    if (it != s.jobs.end() && it->second.fill == when) s.jobs.erase(it);
  }
}

void JobCache::Invalidate(std::span<const Id> ids) {
  for (Id id : ids) {
    Shard& s = ShardOf(id);
    std::lock_guard lock(s.mu);
    ++s.generation;
    s.jobs.erase(id);
  }
}

void JobCache::Clear() {
  for (Shard& s : shards_) {
    std::lock_guard lock(s.mu);
    ++s.generation;
    s.jobs.clear();
    s.order.clear();
  }
}

void JobCache::SetEnabled(bool enabled) {
  if (enabled) {
    // Whatever was read while disabled may have missed a change: start empty,
    // and refuse fills whose tickets predate this point.
    Clear();
    enabled_.store(per_shard_ > 0, std::memory_order_release);
  } else {
    enabled_.store(false, std::memory_order_release);
    Clear();
  }
}

std::size_t JobCache::size() {
  std::size_t n = 0;
  for (Shard& s : shards_) {
    std::lock_guard lock(s.mu);
    n += s.jobs.size();
  }
  return n;
}

}  // namespace cbit::store
