// Jobs recently read by id, kept in memory: GET /job/<id> (clients and
// dashboards poll it) is answered without a database round trip.
//
// Coherence. A job leaves the cache when a transaction that changed it
// commits (Store::JobsChanged), before that write returns; on PostgreSQL
// every other controller on the database hears of it by NOTIFY and drops
// it too. A read that raced with a change is not kept: a reader takes a
// ticket before its query and Fill() drops the row if anything invalidated
// that shard (or cleared the cache) since. While a controller cannot hear
// the others (its listening connection is down) the cache is disabled, and
// it starts empty again once it can.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <unordered_map>

#include "core/model.h"

namespace cbit::store {

class JobCache {
 public:
  /// Holds up to `capacity` jobs (0: disabled for good), the oldest filled
  /// leaving first.
  explicit JobCache(std::size_t capacity, bool enabled = true);

  /// The job, if cached.
  std::optional<Job> Find(Id id);
  /// Taken before reading job `id` from the database; hand it to Fill().
  std::uint64_t Ticket(Id id);
  /// Keeps `job` unless the cache was invalidated for it since `ticket`.
  void Fill(const Job& job, std::uint64_t ticket);

  void Invalidate(std::span<const Id> ids);
  void Clear();
  /// Disabled: Find() misses and Fill() keeps nothing. Enabling clears it.
  void SetEnabled(bool enabled);

  std::size_t size();

 private:
  static constexpr std::size_t kShards = 16;
  struct Shard {
    std::mutex mu;
    std::uint64_t generation = 0;  ///< bumped by every invalidation
    std::uint64_t fills = 0;       ///< sequence of Fill() calls
    struct Entry {
      Job job;
      std::uint64_t fill;
    };
    std::unordered_map<Id, Entry> jobs;
    /// Fill order, for eviction; an entry invalidated or filled again since
    /// is skipped when its turn comes.
    std::deque<std::pair<Id, std::uint64_t>> order;
  };
  Shard& ShardOf(Id id) { return shards_[static_cast<std::uint64_t>(id) % kShards]; }

  std::size_t per_shard_;
  std::atomic<bool> enabled_;
  std::array<Shard, kShards> shards_;
};

}  // namespace cbit::store
