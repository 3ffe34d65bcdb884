// Group commit: concurrent write transactions share one COMMIT, and so one
// fsync. SQLite commits one writer at a time and fsyncs on each COMMIT, so
// without this eight submitters wait in line for eight fsyncs; with it they
// share one. (PostgreSQL groups WAL flushes of concurrent commits itself.)
// The transaction runs on a caller's thread (util/coalescer.h): a writer
// alone commits at once, with no hand-over to another thread.
//
// Each caller's work runs in a SAVEPOINT of the shared transaction: a caller
// whose work throws is rolled back alone and gets its exception; the others
// commit. A failed COMMIT fails every caller of that batch.
#pragma once

#include <exception>
#include <functional>
#include <span>

#include "store/db.h"
#include "util/coalescer.h"

namespace cbit::store {

class GroupCommitter {
 public:
  /// `max_batch` bounds one transaction.
  explicit GroupCommitter(Database& db, std::size_t max_batch = 64);

  /// Runs `fn` in the next shared transaction and returns once it is
  /// committed; rethrows what `fn` threw, or the commit's DbError.
  void Run(const std::function<void(Connection&)>& fn);

 private:
  struct Item {
    const std::function<void(Connection&)>* fn;
    std::exception_ptr error;
  };
  void CommitBatch(std::span<Item* const> batch);
  /// Runs one caller's work in a savepoint of the shared transaction; its
  /// failure is its own.
  static void RunInSavepoint(Connection& conn, Item& item);

  Database& db_;
  Coalescer<Item> batcher_;
};

}  // namespace cbit::store
