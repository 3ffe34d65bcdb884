#include "store/group_commit.h"

namespace cbit::store {

GroupCommitter::GroupCommitter(Database& db, std::size_t max_batch)
    : db_(db), max_batch_(max_batch), thread_([this] { Loop(); }) {}

GroupCommitter::~GroupCommitter() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  work_.notify_all();
  thread_.join();
}

void GroupCommitter::Run(const std::function<void(Connection&)>& fn) {
  Item item{&fn, nullptr, false, {}};
  std::unique_lock lock(mu_);
  queue_.push_back(&item);
  work_.notify_one();
  item.cv.wait(lock, [&] { return item.done; });
  if (item.error) std::rethrow_exception(item.error);
}

void GroupCommitter::Loop() {
  std::unique_lock lock(mu_);
  for (;;) {
    work_.wait(lock, [&] { return stop_ || !queue_.empty(); });
    if (queue_.empty()) return;  // stopping with nothing left
    // Everything waiting now goes into one transaction; whoever arrives
    // while it commits goes into the next.
    std::deque<Item*> batch;
    while (!queue_.empty() && batch.size() < max_batch_) {
      batch.push_back(queue_.front());
      queue_.pop_front();
    }
    lock.unlock();
    CommitBatch(batch);
    lock.lock();
    for (Item* i : batch) {
      i->done = true;
      i->cv.notify_one();
    }
  }
}

void GroupCommitter::CommitBatch(std::deque<Item*>& batch) {
  try {
    auto conn = db_.Acquire();
    conn->Begin(true);
    try {
      for (Item* item : batch) {
        conn->Exec("SAVEPOINT cbit_item");
        try {
          (*item->fn)(*conn);
          conn->Exec("RELEASE cbit_item");
        } catch (...) {
          item->error = std::current_exception();
          conn->Exec("ROLLBACK TO cbit_item");
          conn->Exec("RELEASE cbit_item");
        }
      }
      conn->Commit();
    } catch (...) {
      try {
        conn->Rollback();
      } catch (...) {
        conn.Discard();
      }
      throw;
    }
  } catch (...) {
    // The shared transaction failed as a whole: every caller hears of it.
    for (Item* item : batch) item->error = std::current_exception();
  }
}

}  // namespace cbit::store
