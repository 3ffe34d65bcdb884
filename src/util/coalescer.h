// Coalescer: concurrent callers' items run together, in batches, on the
// callers' own threads (or, with `relay`, on one thread of its own once
// items wait; see below). A caller hands in its item;
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
//
// With `relay`, the end of a batch hands what waits to a thread of the
// coalescer's own, which runs batches back to back for as long as items
// wait; a caller that finds a slot free still runs its batch itself. Without
// it the end of a batch wakes the oldest waiting caller to run the next, and
// on a busy machine that wake-up is a gap between batches in which nothing
// runs (docs/performance.md).
#pragma once

#include <algorithm>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <span>
#include <thread>
#include <vector>

namespace cbit {

template <typename T>
class Coalescer {
 public:
  struct Options {
    std::size_t max_batch = 32;  ///< items per batch
    int max_running = 2;         ///< batches running at once
    bool relay = false;          ///< a thread of its own runs batches back to back
  };
  /// `conflict(a, b)`: a and b must run one after the other.
  using Conflict = std::function<bool(const T&, const T&)>;
  /// Runs a batch; records each item's outcome in the item. Must not throw.
  using RunBatch = std::function<void(std::span<T* const>)>;

  Coalescer(Options opts, Conflict conflict, RunBatch run)
      : opts_(opts), conflict_(std::move(conflict)), run_(std::move(run)) {
    if (opts_.relay) relay_ = std::thread([this] { Relay(); });
  }
  /// No caller may be in Run().
  ~Coalescer() {
    if (!relay_.joinable()) return;
    {
      std::lock_guard lock(mu_);
      stop_ = true;
    }
    relay_cv_.notify_one();
    relay_.join();
  }
  Coalescer(const Coalescer&) = delete;
  Coalescer& operator=(const Coalescer&) = delete;

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
      RunTaken(batch, lock, &self);
      // This caller runs the next batch itself if its own item is still
      // waiting; else the relay or the oldest waiting caller does.
      if (!self.done) {
        self.lead = true;
      } else if (!queue_.empty()) {
        if (relay_.joinable()) {
          relay_wanted_ = true;
          relay_cv_.notify_one();
        } else {
          queue_.front()->lead = true;
          queue_.front()->cv.notify_one();
        }
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

  // Runs a batch taken from the queue (the lock released meanwhile), then
  // wakes its callers, all but `self`, the caller running it.
  void RunTaken(const std::vector<Entry*>& batch, std::unique_lock<std::mutex>& lock,
                const Entry* self) {
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
      if (e != self) e->cv.notify_one();
    }
  }

  // The relay thread: woken when a caller's batch ends with items waiting,
  // it runs batches until nothing it may take is left.
  void Relay() {
    std::unique_lock lock(mu_);
    for (;;) {
      relay_cv_.wait(lock, [&] { return stop_ || relay_wanted_; });
      if (stop_) return;
      relay_wanted_ = false;
      while (running_batches_ < opts_.max_running) {
        std::vector<Entry*> batch = Take();
        if (batch.empty()) break;  // none, or all conflict with running batches
        RunTaken(batch, lock, nullptr);
      }
    }
  }

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
  std::condition_variable relay_cv_;
  bool relay_wanted_ = false;
  bool stop_ = false;
  std::thread relay_;  ///< with Options::relay; started last, stopped first
};

}  // namespace cbit
