#include "store/group_commit.h"

namespace cbit::store {

GroupCommitter::GroupCommitter(Database& db, std::size_t max_batch)
    : db_(db),
      batcher_(
          {.max_batch = max_batch, .max_running = 1},
          [](const Item&, const Item&) { return false; },
          [this](std::span<Item* const> batch) { CommitBatch(batch); }) {}

void GroupCommitter::Run(const std::function<void(Connection&)>& fn) {
  Item item{&fn, nullptr};
  batcher_.Run(item);
  if (item.error) std::rethrow_exception(item.error);
}

void GroupCommitter::CommitBatch(std::span<Item* const> batch) {
  try {
    auto conn = db_.Acquire();
    conn->Begin(true);
    try {
      if (batch.size() == 1) {  // alone: no savepoint needed
        (*batch[0]->fn)(*conn);
        conn->Commit();
        conn->RunAfterCommit();
        return;
      }
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
      conn->RunAfterCommit();
    } catch (...) {
      conn->DropAfterCommit();
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
