// The SQL seam (db.h) on both real backends: parameters, NULLs, error kinds,
// transactions and the pool.
#include "store/db.h"

#include <gtest/gtest.h>

#include "tests/support/databases.h"
#include "tests/support/postgres.h"

namespace cbit::store {
namespace {

class DbTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    db_ = testing::OpenTestDatabase(GetParam());
    auto c = db_->Acquire();
    c->ExecScript(
        "CREATE TABLE parent (id BIGINT PRIMARY KEY, name TEXT UNIQUE);"
        "CREATE TABLE child (id BIGINT PRIMARY KEY, parent_id BIGINT REFERENCES parent (id));");
  }
  std::unique_ptr<Database> db_;
};

TEST_P(DbTest, CapabilitiesNameTheBackend) { EXPECT_EQ(db_->capabilities().name, GetParam()); }

TEST_P(DbTest, ParametersBindByNumberNotByFirstUse) {
  auto c = db_->Acquire();
  c->Exec("INSERT INTO parent (name, id) VALUES ($2, $1)", {std::int64_t{7}, std::string("x")});
  Result r = c->Exec("SELECT id, name FROM parent WHERE name = $2 AND id = $1",
                     {std::int64_t{7}, std::string("x")});
  ASSERT_EQ(r.rows(), 1u);
  EXPECT_EQ(r.i64(0, 0), 7);
  EXPECT_EQ(r.text(0, 1), "x");
}

TEST_P(DbTest, NullsRoundTrip) {
  auto c = db_->Acquire();
  c->Exec("INSERT INTO parent (id, name) VALUES ($1, $2)", {std::int64_t{1}, Param()});
  Result r = c->Exec("SELECT name FROM parent WHERE id = $1", {std::int64_t{1}});
  EXPECT_TRUE(r.null(0, 0));
  EXPECT_EQ(r.opt_i64(0, 0), std::nullopt);
}

TEST_P(DbTest, ErrorsAreClassified) {
  auto c = db_->Acquire();
  c->Exec("INSERT INTO parent (id, name) VALUES (1, 'a')");
  try {
    c->Exec("INSERT INTO parent (id, name) VALUES (2, 'a')");
    FAIL() << "duplicate accepted";
  } catch (const DbError& e) {
    EXPECT_EQ(e.kind, DbErrorKind::kUnique) << e.what();
  }
  try {
    c->Exec("INSERT INTO child (id, parent_id) VALUES (1, 99)");
    FAIL() << "dangling reference accepted";
  } catch (const DbError& e) {
    EXPECT_EQ(e.kind, DbErrorKind::kForeignKey) << e.what();
  }
  c->Exec("INSERT INTO child (id, parent_id) VALUES (1, 1)");
  try {
    c->Exec("DELETE FROM parent WHERE id = 1");
    FAIL() << "referenced row deleted";
  } catch (const DbError& e) {
    EXPECT_EQ(e.kind, DbErrorKind::kForeignKey) << e.what();
  }
  EXPECT_THROW(c->Exec("SELECT nonsense FROM nowhere"), DbError);
}

TEST_P(DbTest, TransactionsCommitOrRollBack) {
  InTransaction(*db_, true, [](Connection& c) { c.Exec("INSERT INTO parent (id) VALUES (1)"); });
  EXPECT_THROW(InTransaction(*db_, true,
                             [](Connection& c) {
                               c.Exec("INSERT INTO parent (id) VALUES (2)");
                               throw std::runtime_error("abort");
                             }),
               std::runtime_error);
  int n = InTransaction(*db_, false, [](Connection& c) {
    return static_cast<int>(c.Exec("SELECT count(*) FROM parent").i64(0, 0));
  });
  EXPECT_EQ(n, 1);
}

TEST_P(DbTest, ALeaseLeftInATransactionIsNotReused) {
  {
    auto c = db_->Acquire();
    c->Begin(true);
    c->Exec("INSERT INTO parent (id) VALUES (1)");
  }
  // The abandoned transaction was rolled back with its connection.
  EXPECT_EQ(db_->Acquire()->Exec("SELECT count(*) FROM parent").i64(0, 0), 0);
}

INSTANTIATE_TEST_SUITE_P(Backends, DbTest, ::testing::Values("sqlite", "postgres"),
                         [](const auto& info) { return info.param; });

TEST(PostgresTest, AnUnreachableServerIsUnavailable) {
  // Port 1 on loopback: nothing listens there, the connection is refused.
  auto db = OpenPostgres({.conninfo = "host=127.0.0.1 port=1 user=postgres dbname=cbit",
                          .connect_timeout = std::chrono::seconds(1)});
  try {
    db->Acquire();
    FAIL() << "connected to nothing";
  } catch (const DbError& e) {
    EXPECT_EQ(e.kind, DbErrorKind::kUnavailable) << e.what();
  }
}

TEST(PostgresTest, AStatementPastItsDeadlineIsUnavailable) {
  auto db = OpenPostgres({.conninfo = testing::FreshPostgresDatabase(),
                          .statement_timeout = std::chrono::milliseconds(100)});
  try {
    InTransaction(*db, false, [](Connection& c) { c.Exec("SELECT pg_sleep(5)"); });
    FAIL() << "no deadline";
  } catch (const DbError& e) {
    EXPECT_EQ(e.kind, DbErrorKind::kUnavailable) << e.what();
  }
  EXPECT_EQ(db->Acquire()->Exec("SELECT 1").i64(0, 0), 1);
}

TEST(SqliteTest, InMemoryDatabaseIsRefused) {
  EXPECT_THROW(OpenSqlite({.path = ":memory:"}), DbError);
}

}  // namespace
}  // namespace cbit::store
