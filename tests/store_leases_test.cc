// Leases in the store, on both backends: when jobs and clients were last
// heard from, which Building jobs lapsed, the controller's reasons in the
// history, and the migration that adds them to an older database.
#include "store/migrations.h"
#include "tests/store_fixture.h"

namespace cbit::store {
namespace {

class LeaseStore : public StoreTest {
 protected:
  std::vector<Id> LapsedLeases(std::int64_t heard_before_us) {
    return store_->LapsedLeases(heard_before_us, 100);
  }
};

TEST_P(LeaseStore, AClaimAndItsHoldersAppendsAreHeardFrom) {
  Seed();
  Id job = Submit("hello", "1.0", armel_, std::nullopt, 1000);
  EXPECT_TRUE(LapsedLeases(5000).empty());  // Waiting: no lease
  store_->ReportStatus(job, "Building", "build_client_a", 2000);
  JobLease l = store_->LeaseOf(job);
  EXPECT_EQ(l.status, "Building");
  EXPECT_EQ(l.client, "build_client_a");
  EXPECT_EQ(l.last_heard_us, 2000);
  EXPECT_EQ(l.attempts, 1);
  EXPECT_EQ(LapsedLeases(2001), std::vector<Id>{job});
  EXPECT_TRUE(LapsedLeases(2000).empty());

  store_->Heard("build_client_a", job, 3000);  // a log append
  EXPECT_EQ(store_->LeaseOf(job).last_heard_us, 3000);
  EXPECT_EQ(store_->ClientHeardOf("build_client_a")->last_heard_us, 3000);
  store_->Heard("build_client_b", job, 4000);  // not the holder: no renewal
  EXPECT_EQ(store_->LeaseOf(job).last_heard_us, 3000);
  EXPECT_EQ(store_->ClientHeardOf("build_client_b")->last_heard_us, 4000);
  auto clients = store_->ClientsHeard();
  ASSERT_EQ(clients.size(), 2u);
  EXPECT_EQ(clients[0].name, "build_client_a");
  EXPECT_EQ(store_->ClientHeardOf("build_client_c"), std::nullopt);
  ExpectThrowWith<NotFound>([&] { store_->LeaseOf(999); }, "no job with id 999");
}

TEST_P(LeaseStore, TheControllersReasonIsKeptInTheHistory) {
  Seed();
  Id job = Submit("hello", "1.0", armel_);
  store_->ReportStatus(job, "Building", "build_client_a", 2000);
  store_->Write([&](Connection& c) {
    SubmitTx tx(*store_, c);
    JobLease l = tx.LockLease(job);
    EXPECT_EQ(l.attempts, 1);
    tx.ReportStatus(job, "Waiting", std::nullopt, 9000, std::string("lease expired: test"));
  });
  auto history = store_->JobHistoryOf(job);
  ASSERT_EQ(history.size(), 3u);
  EXPECT_EQ(history[0].reason, std::nullopt);
  EXPECT_EQ(history[1].reason, std::nullopt);
  EXPECT_EQ(history[2].status, "Waiting");
  EXPECT_EQ(history[2].reason, "lease expired: test");
  // The expiry is no renewal; a job heard from again by a new claim is.
  EXPECT_EQ(store_->LeaseOf(job).last_heard_us, 2000);
  store_->Heard("build_client_a", job, 9500);  // late append: not Building any more
  EXPECT_EQ(store_->LeaseOf(job).last_heard_us, 2000);
  store_->ReportStatus(job, "Building", "build_client_b", 10000);
  EXPECT_EQ(store_->LeaseOf(job).attempts, 2);
  EXPECT_EQ(store_->LeaseOf(job).last_heard_us, 10000);
}

// A job Building when the database is upgraded counts from its status's time.
TEST_P(LeaseStore, TheMigrationKeepsBuildingJobsLeasedFromTheirStatusTime) {
  store_ = std::make_unique<Store>(testing::OpenTestDatabase(GetParam()));
  store_->MigrateTo(6);
  Seed();
  // Rows as schema 6 holds them (today's submission writes later columns).
  Id job = InTransaction(store_->db(), true, [&](Connection& c) {
    Id pkg = c.Exec("INSERT INTO package (name, version) VALUES ('hello', '1.0') RETURNING id")
                 .i64(0, 0);
    Id pi = c.Exec(
                 "INSERT INTO packageinstance (package_id, arch_id, suite_id, dist_id, format_id)"
                 " VALUES ($1, $2, $3, $4, $5) RETURNING id",
                 {pkg, armel_, chickpea_, debian_, deb_})
                .i64(0, 0);
    return c
        .Exec(
            "INSERT INTO job (packageinstance_id, status_id, status_time) VALUES ($1,"
            " (SELECT id FROM status WHERE name = 'Building'), 5000) RETURNING id",
            {pi})
        .i64(0, 0);
  });
  store_->Migrate();
  EXPECT_EQ(store_->SchemaVersion(), LatestSchemaVersion());
  EXPECT_EQ(store_->LeaseOf(job).last_heard_us, 5000);
  EXPECT_EQ(LapsedLeases(5001), std::vector<Id>{job});
}

INSTANTIATE_TEST_SUITE_P(Backends, LeaseStore, ::testing::Values("sqlite", "postgres"));

}  // namespace
}  // namespace cbit::store
