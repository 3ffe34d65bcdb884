#include "store/pool.h"

#include <gtest/gtest.h>

#include <stdexcept>
#include <thread>

namespace cbit::store {
namespace {

class FakeConnection : public Connection {
 public:
  explicit FakeConnection(int* live) : live_(live) { ++*live_; }
  ~FakeConnection() override { --*live_; }
  using Connection::Defer;
  using Connection::Exec;
  Result Exec(std::string_view, std::span<const Param>) override {
    ++executed;
    return {};
  }
  void Defer(std::string_view, std::span<const Param>) override { ++deferred; }
  const Capabilities& capabilities() const override { return SqliteCapabilities(); }
  void Begin(bool) override { in_tx = true; }
  void Commit() override { in_tx = false; }
  void Rollback() override {
    ++rollbacks;
    if (fail_rollback) throw DbError(DbErrorKind::kUnavailable, "fake: connection lost");
    in_tx = false;
  }
  void ExecScript(std::string_view) override {}
  bool in_tx = false;
  bool fail_rollback = false;
  int rollbacks = 0;
  int executed = 0, deferred = 0;

 private:
  int* live_;
};

class FakeDatabase : public Database {
 public:
  explicit FakeDatabase(int size)
      : pool_(
            size, std::chrono::milliseconds(100),
            [this] {
              ++opened;
              auto c = std::make_unique<FakeConnection>(&live);
              last = c.get();
              return c;
            },
            [](Connection& c) { return !static_cast<FakeConnection&>(c).in_tx; }) {}
  const Capabilities& capabilities() const override { return SqliteCapabilities(); }
  Lease Acquire() override { return pool_.Acquire(this); }
  PoolStats pool_stats() const override { return pool_.stats(); }
  int opened = 0;
  int live = 0;
  FakeConnection* last = nullptr;  ///< the connection opened last

 protected:
  void Release(std::unique_ptr<Connection> c) override { pool_.Release(std::move(c)); }

 private:
  ConnectionPool pool_;
};

TEST(PoolTest, OpensLazilyAndReuses) {
  FakeDatabase db(2);
  EXPECT_EQ(db.opened, 0);
  { auto a = db.Acquire(); }
  { auto b = db.Acquire(); }
  EXPECT_EQ(db.opened, 1);
}

// A deferred statement must reach the backend as deferred: PostgreSQL sends
// those with the next statement instead of one round trip each.
TEST(PoolTest, DeferReachesTheBackendConnection) {
  FakeDatabase db(1);
  auto a = db.Acquire();
  a->Defer("INSERT 1");
  a->Exec("SELECT 1");
  ASSERT_NE(db.last, nullptr);
  EXPECT_EQ(db.last->deferred, 1);
  EXPECT_EQ(db.last->executed, 1);
}

TEST(PoolTest, WaitsThenGivesUp) {
  FakeDatabase db(1);
  auto held = db.Acquire();
  try {
    db.Acquire();
    FAIL() << "second lease granted";
  } catch (const DbError& e) {
    EXPECT_EQ(e.kind, DbErrorKind::kUnavailable);
  }
}

TEST(PoolTest, AWaiterGetsTheReleasedConnection) {
  FakeDatabase db(1);
  auto held = std::make_unique<Database::Lease>(db.Acquire());
  std::thread releaser([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    held.reset();
  });
  EXPECT_NO_THROW(db.Acquire());
  releaser.join();
  EXPECT_EQ(db.opened, 1);
}

TEST(PoolTest, StatsCountLeasesWaitsAndTimeouts) {
  FakeDatabase db(1);
  auto held = std::make_unique<Database::Lease>(db.Acquire());
  EXPECT_THROW(db.Acquire(), DbError);  // waits the pool's 100 ms, then gives up
  std::thread releaser([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    held.reset();
  });
  EXPECT_NO_THROW(db.Acquire());
  releaser.join();
  PoolStats s = db.pool_stats();
  EXPECT_EQ(s.acquired, 2u);
  EXPECT_EQ(s.waited, 2u);
  EXPECT_EQ(s.timeouts, 1u);
  EXPECT_GE(s.wait_seconds, 0.1);
  EXPECT_EQ(s.open, 1);
  EXPECT_EQ(s.size, 1);
}

TEST(PoolTest, DiscardedAndDirtyConnectionsFreeTheirSlot) {
  FakeDatabase db(1);
  {
    auto a = db.Acquire();
    a.Discard();
  }
  EXPECT_EQ(db.live, 0);
  {
    auto b = db.Acquire();
    b->Begin(true);  // left in a transaction: not reused
  }
  EXPECT_EQ(db.live, 0);
  { auto c = db.Acquire(); }
  EXPECT_EQ(db.opened, 3);
}

TEST(PoolTest, AFailedOpenFreesItsSlot) {
  int attempts = 0;
  ConnectionPool pool(
      1, std::chrono::milliseconds(50),
      [&]() -> std::unique_ptr<Connection> {
        ++attempts;
        throw DbError(DbErrorKind::kUnavailable, "down");
      },
      [](Connection&) { return true; });
  EXPECT_THROW(pool.Acquire(nullptr), DbError);
  EXPECT_THROW(pool.Acquire(nullptr), DbError);
  EXPECT_EQ(attempts, 2);
}

// The transaction guard: what becomes of the transaction and its connection
// when it is committed, abandoned, or its connection breaks.
TEST(TransactionTest, CommitsOnlyWhenToldAndRunsTheHooksThen) {
  FakeDatabase db(1);
  int hooks = 0;
  {
    Transaction tx(db, true);
    tx->AfterCommit([&] { ++hooks; });
    EXPECT_EQ(hooks, 0);
    tx.Commit();
  }
  EXPECT_EQ(hooks, 1);
  EXPECT_EQ(db.last->rollbacks, 0);
  EXPECT_EQ(db.live, 1);  // back in the pool
}

TEST(TransactionTest, AbandonedRollsBackDropsItsHooksAndKeepsTheConnection) {
  FakeDatabase db(1);
  int hooks = 0;
  EXPECT_THROW(
      {
        Transaction tx(db, true);
        tx->AfterCommit([&] { ++hooks; });
        throw std::runtime_error("unwinding");
      },
      std::runtime_error);
  EXPECT_EQ(db.last->rollbacks, 1);
  EXPECT_FALSE(db.last->in_tx);
  { Transaction next(db, true); }  // the hook of the abandoned one stays dropped
  EXPECT_EQ(hooks, 0);
  EXPECT_EQ(db.opened, 1);
}

TEST(TransactionTest, AFailedRollbackDropsTheConnection) {
  FakeDatabase db(1);
  {
    Transaction tx(db, true);
    db.last->fail_rollback = true;
  }
  EXPECT_EQ(db.live, 0);
  { Transaction next(db, false); }
  EXPECT_EQ(db.opened, 2);
}

TEST(TransactionTest, ALostConnectionIsDroppedAfterTheRollback) {
  FakeDatabase db(1);
  EXPECT_THROW(InTransaction(db, true,
                             [](Connection&) -> int {
                               throw DbError(DbErrorKind::kUnavailable, "fake: timed out");
                             }),
               DbError);
  EXPECT_EQ(db.live, 0);
  // Any other error leaves a connection that rolled back fit for reuse.
  EXPECT_THROW(
      InTransaction(db, true, [](Connection&) { throw DbError(DbErrorKind::kUnique, "fake"); }),
      DbError);
  EXPECT_EQ(db.live, 1);
  EXPECT_EQ(InTransaction(db, false, [](Connection&) { return 7; }), 7);
  EXPECT_EQ(db.opened, 2);
}

}  // namespace
}  // namespace cbit::store
