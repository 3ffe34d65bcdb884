// Migrations on both backends: a new database, and an upgrade of a database
// holding pyBit-era rows.
#include <algorithm>

#include "core/debian.h"
#include "store/migrations.h"
#include "tests/store_fixture.h"

namespace cbit::store {
namespace {

class MigrationTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override { store_ = std::make_unique<Store>(testing::OpenTestDatabase(GetParam())); }

  // A job whose history has two rows; the later one by time has the lower
  // id, so the back-fill must order by time, not by id.
  Id InsertPyBitJob() {
    return InTransaction(store_->db(), true, [](Connection& c) {
      auto id = [&](std::string_view sql) { return c.Exec(sql).i64(0, 0); };
      Id arch = id("INSERT INTO arch (name) VALUES ('i386') RETURNING id");
      Id suite = id("INSERT INTO suite (name) VALUES ('chickpea') RETURNING id");
      Id dist = id("INSERT INTO distribution (name) VALUES ('Debian') RETURNING id");
      Id format = id("INSERT INTO format (name) VALUES ('deb') RETURNING id");
      Id pkg = id("INSERT INTO package (name, version) VALUES ('old', '1.0') RETURNING id");
      Id pi = c.Exec(
                   "INSERT INTO packageinstance (package_id, arch_id, suite_id, dist_id,"
                   " format_id, master) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
                   {pkg, arch, suite, dist, format, std::int64_t{1}})
                  .i64(0, 0);
      Id job =
          c.Exec("INSERT INTO job (packageinstance_id) VALUES ($1) RETURNING id", {pi}).i64(0, 0);
      const char* add = "INSERT INTO jobstatus (job_id, status_id, time) VALUES ($1, $2, $3)";
      c.Exec(add, {job, std::int64_t{4}, std::int64_t{2000}});  // Building, later
      c.Exec(add, {job, std::int64_t{1}, std::int64_t{1000}});  // Waiting, earlier
      c.Exec("INSERT INTO buildrequest (job_id, method, uri, vcs_id) VALUES ($1, 'git', 'u', 'v')",
             {job});
      return job;
    });
  }

  void ExpectUpgraded(Id job) {
    EXPECT_EQ(store_->SchemaVersion(), LatestSchemaVersion());
    Job j = store_->GetJob(job);
    EXPECT_EQ(j.status, "Building");
    EXPECT_EQ(j.instance.package.name, "old");
    EXPECT_TRUE(j.instance.master);
    EXPECT_EQ(store_->ListJobs({.status = "Building"}, {}).size(), 1u);
    auto history = store_->JobHistoryOf(job);
    ASSERT_EQ(history.size(), 2u);
    EXPECT_EQ(history[0].status, "Waiting");
    EXPECT_EQ(VersionKeyOf("old"), debian::VersionSortKey("1.0"));
  }

  // The package's version_key ("NULL" when it has none).
  std::string VersionKeyOf(const std::string& name) {
    return InTransaction(store_->db(), false, [&](Connection& c) {
      Result r = c.Exec("SELECT version_key FROM package WHERE name = $1", {name});
      return r.null(0, 0) ? std::string("NULL") : r.text(0, 0);
    });
  }

  std::unique_ptr<Store> store_;
};

TEST_P(MigrationTest, NewDatabaseGoesToTheLatestVersion) {
  EXPECT_EQ(store_->SchemaVersion(), 0);
  store_->Migrate();
  EXPECT_EQ(store_->SchemaVersion(), LatestSchemaVersion());
  store_->Migrate();  // nothing left to do
  EXPECT_EQ(store_->SchemaVersion(), LatestSchemaVersion());
  EXPECT_EQ(store_->CountLookups(LookupKind::kStatus), 7);
}

// Migration 5: no index repeats the leading column of a unique index.
TEST_P(MigrationTest, NoIndexRepeatsAUniqueIndexsLeadingColumn) {
  store_->Migrate();
  const std::string catalog =
      GetParam() == std::string("postgres")
          ? "SELECT count(*) FROM pg_indexes WHERE indexname"
          : "SELECT count(*) FROM sqlite_master WHERE type = 'index' AND name";
  auto count = [&](std::string_view names) {
    return InTransaction(store_->db(), false, [&](Connection& c) {
      return c.Exec(catalog + " IN (" + std::string(names) + ")").i64(0, 0);
    });
  };
  EXPECT_EQ(count("'package_name_idx', 'packageinstance_package_idx'"), 0);
  EXPECT_EQ(count("'packageinstance_combination_idx'"), 1);  // serves package_id lookups
}

TEST_P(MigrationTest, UpgradeFromVersionOneBackfillsCurrentStatus) {
  store_->MigrateTo(1);
  EXPECT_EQ(store_->SchemaVersion(), 1);
  Id job = InsertPyBitJob();
  store_->Migrate();
  ExpectUpgraded(job);
}

TEST_P(MigrationTest, APyBitDatabaseWithoutVersionIsAdopted) {
  store_->db().Acquire()->ExecScript(ExpandDdl(Migrations()[0].ddl, store_->db().capabilities()));
  Id job = InsertPyBitJob();
  store_->Migrate();
  ExpectUpgraded(job);
}

// Migration 13 keys the versions already stored; upkeep keys those that an
// older controller sharing the database inserts without one afterwards.
TEST_P(MigrationTest, VersionKeysOfOlderRowsAreFilled) {
  store_->MigrateTo(12);
  InTransaction(store_->db(), true, [](Connection& c) {
    c.Exec("INSERT INTO package (name, version) VALUES ('before', '1.0~rc1')");
  });
  store_->Migrate();
  EXPECT_EQ(VersionKeyOf("before"), debian::VersionSortKey("1.0~rc1"));
  InTransaction(store_->db(), true, [](Connection& c) {
    c.Exec("INSERT INTO package (name, version) VALUES ('older', '2:1.0-1')");
  });
  EXPECT_EQ(VersionKeyOf("older"), "NULL");
  auto done = store_->Upkeep();
  EXPECT_NE(std::find(done.begin(), done.end(), "sort keys for 1 package versions"), done.end());
  EXPECT_EQ(VersionKeyOf("older"), debian::VersionSortKey("2:1.0-1"));
  EXPECT_EQ(store_->CreatePackage("new", "1.0").name, "new");
  EXPECT_EQ(VersionKeyOf("new"), debian::VersionSortKey("1.0"));
}

INSTANTIATE_TEST_SUITE_P(Backends, MigrationTest, ::testing::Values("sqlite", "postgres"),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace cbit::store
