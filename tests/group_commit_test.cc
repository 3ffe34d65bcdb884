// Group commit on a real SQLite database: concurrent writers share
// transactions, and one writer's failure rolls back its work only.
#include "store/group_commit.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>
#include <vector>

#include "store/store.h"
#include "tests/support/databases.h"

namespace cbit::store {
namespace {

TEST(GroupCommit, ConcurrentWritersAllCommitAndAFailureStaysItsOwn) {
  Store store(testing::OpenTestDatabase("sqlite"));
  store.Migrate();
  constexpr int kThreads = 8, kEach = 50;
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kEach; ++i) {
        std::string name = "a" + std::to_string(t) + "x" + std::to_string(i);
        bool fail = (i == 7);
        try {
          store.Write([&](Connection& c) {
            c.Exec("INSERT INTO arch (name) VALUES ($1)", {name});
            if (fail) throw std::runtime_error("refused");
          });
        } catch (const std::runtime_error&) {
          ++failures;
        }
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(failures, kThreads);
  EXPECT_EQ(store.CountLookups(LookupKind::kArch), kThreads * (kEach - 1));
  EXPECT_FALSE(store.FindLookup(LookupKind::kArch, "a3x7"));
  EXPECT_TRUE(store.FindLookup(LookupKind::kArch, "a3x8"));
}

TEST(GroupCommit, ADatabaseErrorReachesItsCaller) {
  Store store(testing::OpenTestDatabase("sqlite"));
  store.Migrate();
  store.Write([](Connection& c) { c.Exec("INSERT INTO arch (name) VALUES ('amd64')"); });
  EXPECT_THROW(
      store.Write([](Connection& c) { c.Exec("INSERT INTO arch (name) VALUES ('amd64')"); }),
      DbError);
  EXPECT_EQ(store.CountLookups(LookupKind::kArch), 1);
}

}  // namespace
}  // namespace cbit::store
