// Coalescer: concurrent callers' items run together, in batches, on the
// callers' own threads (no thread of its own). A caller hands in its item;
// if fewer than `max_running` batches are running, it takes everything
// waiting (its own item and whatever else came) and runs it as one batch;
// otherwise it waits, and the next caller to find a free slot takes it along.
// Under load each batch carries the items that arrived while the last one
// ran, so the cost of a batch (a transaction's round trips and its commit)
// is shared; alone, an item runs at once.
//
// Items that conflict (same key: their order matters) never share a batch
// nor run in two batches at once: the later one waits for the earlier one's
// batch to finish, and conflicting items keep their arrival order.
#pragma once

#include <algorithm>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <span>
#include <vector>

namespace cbit {

template <typename T>
class Coalescer {
 public:
  struct Options {
    std::size_t max_batch = 32;  ///< items per batch
    int max_running = 2;         ///< batches running at once
  };
  /// `conflict(a, b)`: a and b must run one after the other.
  using Conflict = std::function<bool(const T&, const T&)>;
  /// Runs a batch; records each item's outcome in the item. Must not throw.
  using RunBatch = std::function<void(std::span<T* const>)>;

  Coalescer(Options opts, Conflict conflict, RunBatch run)
      : opts_(opts), conflict_(std::move(conflict)), run_(std::move(run)) {}

  /// Items handed in and not taken into a batch yet.
  std::size_t waiting() {
    std::lock_guard lock(mu_);
    return queue_.size();
  }

  /// Returns once `item` has run, in a batch run by this or another caller.
  void Run(T& item) {
    Entry self{&item};
    std::unique_lock lock(mu_);
    queue_.push_back(&self);
    while (!self.done) {
      std::vector<Entry*> batch;
      if (running_batches_ < opts_.max_running) batch = Take();
      if (batch.empty()) {
        cv_.wait(lock);
        continue;
      }
      ++running_batches_;
      running_.insert(running_.end(), batch.begin(), batch.end());
      lock.unlock();
      std::vector<T*> items;
      items.reserve(batch.size());
      for (Entry* e : batch) items.push_back(e->item);
      run_(items);
      lock.lock();
      --running_batches_;
      for (Entry* e : batch) {
        e->done = true;
        running_.erase(std::find(running_.begin(), running_.end(), e));
      }
      cv_.notify_all();
    }
  }

 private:
  struct Entry {
    T* item;
    bool done = false;
  };

  // The waiting items, oldest first, that conflict with nothing running,
  // nothing taken, and nothing older left waiting.
  std::vector<Entry*> Take() {
    std::vector<Entry*> batch, skipped;
    auto clashes = [&](const std::vector<Entry*>& with, const Entry* e) {
      return std::any_of(with.begin(), with.end(),
                         [&](const Entry* o) { return conflict_(*o->item, *e->item); });
    };
    for (auto it = queue_.begin(); it != queue_.end() && batch.size() < opts_.max_batch;) {
      Entry* e = *it;
      if (clashes(running_, e) || clashes(batch, e) || clashes(skipped, e)) {
        skipped.push_back(e);
        ++it;
      } else {
        batch.push_back(e);
        it = queue_.erase(it);
      }
    }
    return batch;
  }

  const Options opts_;
  const Conflict conflict_;
  const RunBatch run_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Entry*> queue_;
  std::vector<Entry*> running_;
  int running_batches_ = 0;
};

}  // namespace cbit
