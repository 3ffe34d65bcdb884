// The job cache behind Store::GetJob (store/job_cache.h): a job read once is
// served from memory, yet every committed change to it shows at once in
// this store, and on PostgreSQL in every other store on the database.
#include <chrono>
#include <thread>

#include "tests/store_fixture.h"
#include "tests/support/postgres.h"

namespace cbit::store {
namespace {

using namespace std::chrono_literals;

TEST_P(StoreTest, GetJobSeesEveryChangeMadeAfterItWasCached) {
  Seed();
  Id id = Submit("hello", "1.0", armel_);
  EXPECT_EQ(store_->GetJob(id).status, "Waiting");
  EXPECT_EQ(store_->GetJob(id).status, "Waiting");  // now from the cache
  EXPECT_EQ(store_->CachedJobs(), 1u);

  store_->ReportStatus(id, "Building", "build_client_a", 2000);
  Job j = store_->GetJob(id);
  EXPECT_EQ(j.status, "Building");
  ASSERT_TRUE(j.buildclient);
  EXPECT_EQ(j.buildclient->name, "build_client_a");

  // A change that rolls back leaves the cached job as it was.
  EXPECT_THROW(store_->ReportStatus(id, "Bogus", std::nullopt, 2500), NotFound);
  EXPECT_EQ(store_->GetJob(id).status, "Building");

  const Id cancelled = store_->FindLookup(LookupKind::kStatus, "Cancelled")->id;
  InTransaction(store_->db(), true, [&](Connection& c) {
    SubmitTx(*store_, c).SetStatuses({&id, 1}, cancelled, 3000);
  });
  EXPECT_EQ(store_->GetJob(id).status, "Cancelled");

  store_->SetMaster(j.instance.id, !j.instance.master);
  EXPECT_EQ(store_->GetJob(id).instance.master, !j.instance.master);

  store_->DeleteJob(id);
  EXPECT_THROW(store_->GetJob(id), NotFound);
}

// Two stores on one PostgreSQL database, as two controllers would be.
class JobCacheAcrossStoresTest : public StoreTest {
 protected:
  void SetUp() override {
    const std::string conninfo = testing::FreshPostgresDatabase();
    store_ = std::make_unique<Store>(OpenPostgres({.conninfo = conninfo}));
    store_->Migrate();
    other_ = std::make_unique<Store>(OpenPostgres({.conninfo = conninfo}));
  }

  /// Reads job `id` in store_ until it is served from the cache (which
  /// is off until the store listens for the other's changes).
  void ReadUntilCached(Id id) {
    const auto deadline = std::chrono::steady_clock::now() + 10s;
    while (store_->CachedJobs() == 0) {
      ASSERT_LT(std::chrono::steady_clock::now(), deadline) << "the job cache never came on";
      store_->GetJob(id);
      std::this_thread::sleep_for(10ms);
    }
  }

  /// Reads job `id` in store_ until it shows `status`; false after 10 s.
  bool EventuallyShows(Id id, const std::string& status) {
    const auto deadline = std::chrono::steady_clock::now() + 10s;
    while (store_->GetJob(id).status != status) {
      if (std::chrono::steady_clock::now() > deadline) return false;
      std::this_thread::sleep_for(10ms);
    }
    return true;
  }

  std::unique_ptr<Store> other_;
};

TEST_P(JobCacheAcrossStoresTest, AChangeInOneStoreReachesTheOthersCache) {
  Seed();
  Id id = Submit("hello", "1.0", armel_);
  ReadUntilCached(id);
  other_->ReportStatus(id, "Building", "build_client_b", 2000);
  EXPECT_TRUE(EventuallyShows(id, "Building"));
  other_->DeleteJob(id);
  const auto deadline = std::chrono::steady_clock::now() + 10s;
  bool gone = false;
  while (!gone && std::chrono::steady_clock::now() < deadline) {
    try {
      store_->GetJob(id);
      std::this_thread::sleep_for(10ms);
    } catch (const NotFound&) {
      gone = true;
    }
  }
  EXPECT_TRUE(gone);
}

// Changes announced as "every job": a package instance's master flag, and
// a change to more jobs than one notification can name.
TEST_P(JobCacheAcrossStoresTest, AChangeToEveryJobReachesTheOthersCache) {
  Seed();
  Id id = Submit("hello", "1.0", armel_);
  ReadUntilCached(id);
  const Job before = store_->GetJob(id);
  other_->SetMaster(before.instance.id, !before.instance.master);
  const auto deadline = std::chrono::steady_clock::now() + 10s;
  while (store_->GetJob(id).instance.master == before.instance.master &&
         std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(10ms);
  }
  EXPECT_EQ(store_->GetJob(id).instance.master, !before.instance.master);

  ReadUntilCached(id);
  std::vector<Id> many(2000, id + 1000000);  // ~16 kB of ids: past a payload
  many.push_back(id);
  const Id cancelled = other_->FindLookup(LookupKind::kStatus, "Cancelled")->id;
  InTransaction(other_->db(), true,
                [&](Connection& c) { SubmitTx(*other_, c).SetStatuses(many, cancelled, 3000); });
  EXPECT_TRUE(EventuallyShows(id, "Cancelled"));
}

// While a store cannot hear the others it must not serve what it cached:
// changes made meanwhile would go unseen. Its listening connection is
// killed; a change follows at once; the store shows it, and caches again.
TEST_P(JobCacheAcrossStoresTest, ALostListenerNeitherKeepsNorServesStaleJobs) {
  Seed();
  Id id = Submit("hello", "1.0", armel_);
  ReadUntilCached(id);
  auto conn = other_->db().Acquire();
  Result killed = conn->Exec(
      "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
      " WHERE application_name = 'cbit-listen' AND datname = current_database()");
  ASSERT_GE(killed.rows(), 1u);
  other_->ReportStatus(id, "Building", "build_client_b", 2000);
  EXPECT_TRUE(EventuallyShows(id, "Building"));
  ReadUntilCached(id);  // caching resumes once it listens again
  other_->ReportStatus(id, "Uploaded", std::nullopt, 3000);
  EXPECT_TRUE(EventuallyShows(id, "Uploaded"));
}

INSTANTIATE_TEST_SUITE_P(Postgres, JobCacheAcrossStoresTest, ::testing::Values("postgres"));

}  // namespace
}  // namespace cbit::store
