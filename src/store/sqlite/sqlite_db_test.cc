// The SQLite backend's write lock: one writer at a time, in process; the
// writers waiting for it go on once it is released.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <thread>

#include "store/db.h"
#include "testing/test_dir.h"

namespace cbit::store {
namespace {

using namespace std::chrono_literals;

TEST(SqliteWriteLock, AWriteWaitsForTheWritingTransactionThenGoesOn) {
  testing::TestDir dir;
  auto db = OpenSqlite({(dir.path() / "t.db").string(), 4, false});
  InTransaction(*db, true, [](Connection& c) { c.Exec("CREATE TABLE t (x INTEGER)"); });

  auto first = std::make_unique<Transaction>(*db, true);
  (*first)->Exec("INSERT INTO t VALUES (1)");
  std::atomic<bool> autocommit_done{false}, tx_done{false};
  // A write outside a transaction and a second writing transaction both
  // queue on the lock the first transaction holds.
  std::thread autocommit([&] {
    auto lease = db->Acquire();
    lease->Exec("INSERT INTO t VALUES (2)");
    autocommit_done = true;
  });
  std::thread second([&] {
    std::this_thread::sleep_for(20ms);
    InTransaction(*db, true, [](Connection& c) { c.Exec("INSERT INTO t VALUES (3)"); });
    tx_done = true;
  });
  std::this_thread::sleep_for(200ms);
  EXPECT_FALSE(autocommit_done);
  EXPECT_FALSE(tx_done);

  auto committed = std::chrono::steady_clock::now();
  first->Commit();
  first.reset();
  autocommit.join();
  second.join();
  // Both had to wait for the lock, and each released it after its write.
  EXPECT_LT(std::chrono::steady_clock::now() - committed, 1s);
  auto lease = db->Acquire();
  EXPECT_EQ(lease->Exec("SELECT count(*) FROM t").i64(0, 0), 3);
}

}  // namespace
}  // namespace cbit::store
