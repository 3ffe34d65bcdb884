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
    self.lead = running_batches_ < opts_.max_running;
    for (;;) {
      // Only this caller's batch finishing, or its turn to lead, wakes it:
      // a batch's end wakes its own items and one leader, not everyone.
      self.cv.wait(lock, [&] { return self.done || self.lead; });
      if (self.done) return;
      self.lead = false;
      // The slot it was woken for went to a newcomer: the end of a
      // running batch hands the lead on again.
      if (running_batches_ >= opts_.max_running) continue;
      std::vector<Entry*> batch = Take();
      if (batch.empty()) continue;  // all conflict with running batches
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
        running_.erase(std::find(running_.begin(), running_.end(), e));
        e->done = true;
        if (e != &self) e->cv.notify_one();
      }
      // The oldest waiting caller runs the next batch (this one, if its
      // own item is still waiting, does it itself).
      if (!self.done) {
        self.lead = true;
      } else if (!queue_.empty()) {
        queue_.front()->lead = true;
        queue_.front()->cv.notify_one();
      }
    }
  }

 private:
  struct Entry {
    T* item;
    bool done = false;
    bool lead = false;  ///< this caller is to take and run the next batch
    std::condition_variable cv;
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
  std::deque<Entry*> queue_;
  std::vector<Entry*> running_;
  int running_batches_ = 0;
};

}  // namespace cbit
