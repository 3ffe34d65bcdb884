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
    Transaction tx(db_, true);
    if (batch.size() == 1) {  // alone: no savepoint needed
      (*batch[0]->fn)(*tx);
    } else {
      for (Item* item : batch) RunInSavepoint(*tx, *item);
    }
    tx.Commit();
  } catch (...) {
    // The shared transaction failed as a whole: every caller hears of it.
    for (Item* item : batch) item->error = std::current_exception();
  }
}

void GroupCommitter::RunInSavepoint(Connection& conn, Item& item) {
  conn.Exec("SAVEPOINT cbit_item");
  try {
    (*item.fn)(conn);
    conn.Exec("RELEASE cbit_item");
  } catch (...) {
    // This caller's work is undone; the others' stays in the transaction.
    item.error = std::current_exception();
    conn.Exec("ROLLBACK TO cbit_item");
    conn.Exec("RELEASE cbit_item");
  }
}

}  // namespace cbit::store
