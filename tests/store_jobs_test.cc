// Store on both backends: submissions through SubmitTx, job lists and
// filters, status reports and history, deletion, and the outbox.
#include <algorithm>
#include <set>
#include <thread>

#include "core/debian.h"
#include "core/wire.h"
#include "tests/store_fixture.h"
#include "tests/support/postgres.h"

namespace cbit::store {
namespace {

std::vector<Id> Ids(const std::vector<Job>& jobs) {
  std::vector<Id> out;
  for (const auto& j : jobs) out.push_back(j.id);
  return out;
}

TEST_P(StoreTest, SubmittedJobIsWaitingWithHistoryAndRequest) {
  Seed();
  Id id = Submit("hello", "1.0-1", i386_, wheezy_, 1234);
  Job job = store_->GetJob(id);
  EXPECT_EQ(job.status, "Waiting");
  EXPECT_EQ(job.buildclient, std::nullopt);
  EXPECT_EQ(job.instance.package.version, "1.0-1");
  EXPECT_EQ(job.instance.arch.name, "i386");
  EXPECT_EQ(job.instance.build_env->name, "wheezy");
  EXPECT_TRUE(job.instance.master);
  auto history = store_->JobHistoryOf(id);
  ASSERT_EQ(history.size(), 1u);
  EXPECT_EQ(history[0].status, "Waiting");
  EXPECT_EQ(history[0].time_us, 1234);
  std::string env;
  auto transport = store_->BuildRequestOf(id, &env);
  ASSERT_TRUE(transport);
  EXPECT_EQ(transport->method, "git");
  EXPECT_EQ(transport->uri, "https://example.org/hello");
  EXPECT_EQ(transport->vcs_id, "abc");
  EXPECT_EQ(env, "wheezy");
  EXPECT_EQ(store_->BuildRequestOf(999, nullptr), std::nullopt);
  ExpectThrowWith<NotFound>([&] { store_->GetJob(999); }, "no job with id 999");
}

TEST_P(StoreTest, SubmissionReusesPackageAndInstance) {
  Seed();
  Id first = Submit("hello", "1.0", armel_);
  Id second = Submit("hello", "1.0", armel_);
  Id other_env = Submit("hello", "1.0", i386_, wheezy_);
  Job a = store_->GetJob(first), b = store_->GetJob(second), c = store_->GetJob(other_env);
  EXPECT_EQ(a.instance.id, b.instance.id);
  EXPECT_NE(a.instance.id, c.instance.id);
  EXPECT_EQ(a.instance.package.id, c.instance.package.id);
  EXPECT_EQ(store_->CountPackages(), 1);
  EXPECT_EQ(store_->CountInstances(), 2);
}

// A batch: one lookup for all targets (packages and instances got or
// created, supersede candidates found, job ids reserved), then the writes.
TEST_P(StoreTest, BatchOfSubmissionsInOneTransaction) {
  Seed();
  Id old = Submit("hello", "0.9", armel_);
  Id old_i386 = Submit("hello", "0.9", i386_, wheezy_);
  const Transport t{"git", "https://example.org/hello", "abc"};
  auto got = InTransaction(store_->db(), true, [&](Connection& c) {
    SubmitTx tx(*store_, c);
    const std::vector<SubmitKey> keys = {
        {"zlib", "1.0", debian_, chickpea_, deb_, Target{armel_, std::nullopt, true}},
        {"hello", "1.0", debian_, chickpea_, deb_, Target{armel_, std::nullopt, true}},
        {"hello", "1.0", debian_, chickpea_, deb_, Target{i386_, wheezy_, false}},
        {"zlib", "1.0", debian_, chickpea_, deb_, Target{i386_, wheezy_, false}}};
    SubmitState state = tx.Lookup(keys);
    const std::vector<Id> cancel = {old};
    tx.SetStatuses(cancel, 3, 5000);
    std::vector<NewJob> jobs;
    for (std::size_t k = 0; k < keys.size(); ++k) {
      jobs.push_back(
          {state.job_ids[k], state.instances[k].first, &t,
           keys[k].target.buildenv_id ? std::optional<std::string>("wheezy") : std::nullopt});
    }
    tx.CreateJobs(jobs, 5000);
    return state;
  });
  ASSERT_EQ(got.package_ids.size(), 4u);
  EXPECT_EQ(got.package_ids[0], got.package_ids[3]);
  EXPECT_EQ(got.package_ids[1], got.package_ids[2]);
  EXPECT_NE(got.package_ids[0], got.package_ids[1]);
  EXPECT_TRUE(got.instances[0].second);
  EXPECT_FALSE(got.instances[2].second);
  ASSERT_EQ(got.active.size(), 4u);
  ASSERT_EQ(got.active[1].size(), 1u);
  EXPECT_EQ(got.active[1][0].job_id, old);
  ASSERT_EQ(got.active[2].size(), 1u);
  EXPECT_EQ(got.active[2][0].job_id, old_i386);
  EXPECT_TRUE(got.active[0].empty());
  EXPECT_TRUE(got.active[3].empty());
  EXPECT_EQ(store_->GetJob(old).status, "Cancelled");
  EXPECT_EQ(store_->JobHistoryOf(old).back().time_us, 5000);
  EXPECT_EQ(store_->GetJob(old_i386).status, "Waiting");
  ASSERT_EQ(got.job_ids.size(), 4u);
  EXPECT_EQ(std::set<Id>(got.job_ids.begin(), got.job_ids.end()).size(), 4u);
  for (std::size_t k = 0; k < 4; ++k) {
    Job j = store_->GetJob(got.job_ids[k]);
    EXPECT_GT(j.id, old_i386);
    EXPECT_EQ(j.instance.id, got.instances[k].first);
    EXPECT_EQ(j.instance.package.name, k == 0 || k == 3 ? "zlib" : "hello");
    EXPECT_EQ(j.status, "Waiting");
    EXPECT_EQ(store_->JobHistoryOf(j.id).size(), 1u);
    EXPECT_EQ(store_->BuildRequestOf(j.id, nullptr)->uri, t.uri);
  }
  EXPECT_EQ(store_->GetJob(got.job_ids[2]).instance.build_env->name, "wheezy");
  EXPECT_EQ(store_->CountPackages(), 3);
  // Ids are never given twice, even after the newest job is deleted.
  store_->DeleteJob(got.job_ids[3]);
  EXPECT_GT(Submit("next", "1", armel_), got.job_ids[3]);
}

TEST_P(StoreTest, ConcurrentSubmissionsShareOneInstance) {
  Seed();
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 5; ++i) Submit("racy", "1.0", armel_);
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(store_->CountInstances(), 1);
  EXPECT_EQ(store_->CountJobs({}), 20);
}

// Lists decode lookup ids against the lookup tables (one read for the whole
// list); a single job is read joined. Both must give the same job.
TEST_P(StoreTest, ListedJobsEqualTheJobsReadOneByOne) {
  Seed();
  Id j1 = Submit("hello", "1.0", armel_);
  Id j2 = Submit("hello", "1.0", i386_, wheezy_);
  Submit("world", "2.0", i386_);
  store_->ReportStatus(j2, "Building", "client1", 2000);
  store_->ReportStatus(j1, "Failed", std::nullopt, 2000);
  auto listed = store_->ListJobs({}, {});
  ASSERT_EQ(listed.size(), 3u);
  for (const Job& l : listed) {
    Job one = store_->GetJob(l.id);
    EXPECT_EQ(wire::Encode(l), wire::Encode(one));
    EXPECT_EQ(l.status, one.status);
  }
  EXPECT_EQ(listed[1].instance.build_env->name, "wheezy");
  EXPECT_EQ(listed[1].buildclient->name, "client1");
  EXPECT_EQ(listed[1].status, "Building");
  EXPECT_FALSE(listed[0].instance.build_env);
  EXPECT_FALSE(listed[0].buildclient);
}

TEST_P(StoreTest, ListJobsFiltersByEveryField) {
  Seed();
  Id squeeze = store_->CreateLookup(LookupKind::kBuildEnv, "squeeze").id;
  Id j1 = Submit("hello", "1.0", armel_);
  Id j2 = Submit("hello", "1.0", i386_, wheezy_);
  Id j3 = Submit("world", "2.0", i386_, squeeze);
  Id j4 = Submit("world", "2.0", armel_);
  store_->ReportStatus(j2, "Building", "client1", 2000);
  store_->ReportStatus(j3, "Done", "client2", 2000);
  store_->ReportStatus(j4, "Failed", std::nullopt, 2000);

  auto list = [&](JobFilter f) { return Ids(store_->ListJobs(f, {})); };
  EXPECT_EQ(list({}), (std::vector<Id>{j1, j2, j3, j4}));
  EXPECT_EQ(list({.arch = "armel"}), (std::vector<Id>{j1, j4}));
  EXPECT_EQ(list({.suite = "chickpea"}).size(), 4u);
  EXPECT_TRUE(list({.suite = "other"}).empty());
  EXPECT_EQ(list({.dist = "Debian"}).size(), 4u);
  EXPECT_EQ(list({.format = "deb"}).size(), 4u);
  EXPECT_EQ(list({.package = "world"}), (std::vector<Id>{j3, j4}));
  EXPECT_EQ(list({.package = "hello", .version = "1.0"}), (std::vector<Id>{j1, j2}));
  EXPECT_TRUE(list({.package = "hello", .version = "2.0"}).empty());
  EXPECT_EQ(list({.arch = "i386", .version = "2.0", .status = "Done"}), (std::vector<Id>{j3}));
  EXPECT_EQ(list({.buildenv = "wheezy"}), (std::vector<Id>{j2}));
  EXPECT_EQ(list({.client = "client2"}), (std::vector<Id>{j3}));
  EXPECT_EQ(list({.status = "Building"}), (std::vector<Id>{j2}));
  EXPECT_EQ(list({.status = "Waiting"}), (std::vector<Id>{j1}));
  EXPECT_EQ(list({.unfinished = true}), (std::vector<Id>{j1, j2, j4}));
  EXPECT_EQ(list({.arch = "i386", .package = "hello", .unfinished = true}), (std::vector<Id>{j2}));

  EXPECT_EQ(Ids(store_->ListJobs({}, {2, 3})), (std::vector<Id>{j4}));
  EXPECT_EQ(Ids(store_->ListJobs({.arch = "armel"}, {1, 1})), (std::vector<Id>{j1}));
  EXPECT_EQ(store_->CountJobs({}), 4);
  EXPECT_EQ(store_->CountJobs({.package = "hello"}), 2);
  EXPECT_EQ(store_->CountJobs({.unfinished = true}), 3);

  auto jobs = store_->ListJobs({.client = "client1"}, {});
  ASSERT_EQ(jobs.size(), 1u);
  EXPECT_EQ(jobs[0].status, "Building");
  EXPECT_EQ(jobs[0].buildclient->name, "client1");
}

TEST_P(StoreTest, ReportStatusSetsClientAndCurrentStatus) {
  Seed();
  Id id = Submit("hello", "1.0", armel_, std::nullopt, 1000);
  store_->ReportStatus(id, "Building", "build_client_sample", 2000);
  Job job = store_->GetJob(id);
  EXPECT_EQ(job.status, "Building");
  ASSERT_TRUE(job.buildclient);
  EXPECT_EQ(job.buildclient->name, "build_client_sample");
  EXPECT_TRUE(store_->FindLookup(LookupKind::kBuildClient, "build_client_sample"));

  // Every history row names the current client (pyBit's behaviour).
  auto history = store_->JobHistoryOf(id);
  ASSERT_EQ(history.size(), 2u);
  EXPECT_EQ(history[0].status, "Waiting");
  EXPECT_EQ(history[1].status, "Building");
  EXPECT_EQ(history[1].time_us, 2000);
  for (const auto& h : history) {
    EXPECT_EQ(h.job_id, id);
    EXPECT_EQ(h.buildclient, "build_client_sample");
  }

  // Without a client the job keeps the one it has.
  store_->ReportStatus(id, "Uploaded", std::nullopt, 3000);
  EXPECT_EQ(store_->GetJob(id).status, "Uploaded");
  EXPECT_EQ(store_->GetJob(id).buildclient->name, "build_client_sample");

  ExpectThrowWith<NotFound>([&] { store_->ReportStatus(id, "Bogus", std::nullopt, 1); },
                            "unknown status 'Bogus'");
  ExpectThrowWith<NotFound>([&] { store_->ReportStatus(999, "Done", "ghost", 1); },
                            "no job with id 999");
  EXPECT_FALSE(store_->FindLookup(LookupKind::kBuildClient, "ghost"));  // rolled back
  EXPECT_EQ(store_->JobHistoryOf(id).size(), 3u);
}

TEST_P(StoreTest, HistoryIsOrderedByTime) {
  Seed();
  Id id = Submit("hello", "1.0", armel_, std::nullopt, 5000);
  store_->ReportStatus(id, "Building", std::nullopt, 3000);  // a clock that went back
  auto history = store_->JobHistoryOf(id);
  ASSERT_EQ(history.size(), 2u);
  EXPECT_EQ(history[0].status, "Building");
  EXPECT_EQ(history[1].buildclient, std::nullopt);
  ExpectThrowWith<NotFound>([&] { store_->JobHistoryOf(999); }, "no job with id 999");
}

TEST_P(StoreTest, ActiveJobsAreTheSupersedeCandidates) {
  Seed();
  Id waiting = Submit("hello", "1.0", i386_, wheezy_);
  Id building = Submit("hello", "1.1", i386_, wheezy_);
  Id done = Submit("hello", "0.9", i386_, wheezy_);
  Id failed = Submit("hello", "0.8", i386_, wheezy_);
  Submit("hello", "1.0", i386_);   // no build env
  Submit("hello", "1.0", armel_);  // other arch
  Submit("other", "1.0", i386_, wheezy_);
  store_->ReportStatus(building, "Building", "client1", 2000);
  store_->ReportStatus(done, "Done", std::nullopt, 2000);
  store_->ReportStatus(failed, "Failed", std::nullopt, 2000);

  auto active = InTransaction(store_->db(), true, [&](Connection& c) {
    const SubmitKey key{"hello", "", debian_, chickpea_, deb_, Target{i386_, wheezy_, false}};
    return SubmitTx(*store_, c).ActiveJobs({&key, 1})[0];
  });
  ASSERT_EQ(active.size(), 2u);
  EXPECT_EQ(active[0].job_id, waiting);
  EXPECT_EQ(active[0].version, "1.0");
  EXPECT_EQ(active[0].status, "Waiting");
  EXPECT_EQ(active[0].buildclient, std::nullopt);
  Job w = store_->GetJob(waiting);
  EXPECT_EQ(active[0].instance_id, w.instance.id);
  EXPECT_EQ(active[0].master, w.instance.master);
  EXPECT_EQ(active[0].package_id, w.instance.package.id);
  EXPECT_EQ(active[1].job_id, building);
  EXPECT_EQ(active[1].status, "Building");
  EXPECT_EQ(active[1].buildclient->name, "client1");

  auto no_env = InTransaction(store_->db(), false, [&](Connection& c) {
    const SubmitKey key{"hello", "", debian_, chickpea_, deb_, Target{i386_, std::nullopt}};
    return SubmitTx(*store_, c).ActiveJobs({&key, 1})[0];
  });
  EXPECT_EQ(no_env.size(), 1u);
}

TEST_P(StoreTest, SetStatusAppendsAndBecomesCurrent) {
  Seed();
  Id id = Submit("hello", "1.0", armel_);
  InTransaction(store_->db(), true,
                [&](Connection& c) { SubmitTx(*store_, c).SetStatus(id, 3, 2000); });
  EXPECT_EQ(store_->GetJob(id).status, "Cancelled");
  EXPECT_EQ(store_->JobHistoryOf(id).back().status, "Cancelled");
  EXPECT_THROW(InTransaction(store_->db(), true,
                             [&](Connection& c) { SubmitTx(*store_, c).SetStatus(999, 3, 2000); }),
               NotFound);
}

// Cancel-all can name any number of jobs: past both stores' parameter
// limits (SQLite: 32,766), ids of jobs that are gone are skipped.
TEST_P(StoreTest, SetStatusesOfManyJobs) {
  Seed();
  Id a = Submit("hello", "1.0", armel_);
  Id b = Submit("hello", "1.0", i386_);
  std::vector<Id> ids;
  for (Id i = 1; i <= 40000; ++i) ids.push_back(i + b);  // none exist
  ids.insert(ids.begin() + 3, a);
  ids.push_back(b);
  InTransaction(store_->db(), true,
                [&](Connection& c) { SubmitTx(*store_, c).SetStatuses(ids, 3, 7000); });
  for (Id id : {a, b}) {
    EXPECT_EQ(store_->GetJob(id).status, "Cancelled");
    auto history = store_->JobHistoryOf(id);
    ASSERT_EQ(history.size(), 2u);  // once, though padding repeats ids
    EXPECT_EQ(history[1].time_us, 7000);
  }
}

// A cancel decided on a job read earlier leaves it alone if it finished
// since (the controller names the statuses to leave).
TEST_P(StoreTest, SetStatusesSkipsJobsInTheStatusesToLeave) {
  Seed();
  Id waiting = Submit("hello", "1.0", armel_);
  Id failed = Submit("hello", "1.0", i386_);
  store_->ReportStatus(failed, "Failed", std::nullopt, 2000);
  const Id leave = store_->FindLookup(LookupKind::kStatus, "Failed")->id;
  const std::vector<Id> both{waiting, failed};
  InTransaction(store_->db(), true, [&](Connection& c) {
    SubmitTx(*store_, c).SetStatuses(both, 3, 7000, {&leave, 1});
  });
  EXPECT_EQ(store_->GetJob(waiting).status, "Cancelled");
  EXPECT_EQ(store_->GetJob(failed).status, "Failed");
  EXPECT_EQ(store_->JobHistoryOf(waiting).size(), 2u);
  EXPECT_EQ(store_->JobHistoryOf(failed).size(), 2u);  // Waiting, Failed: nothing added
}

TEST_P(StoreTest, DeleteJobTakesItsHistoryAndRequest) {
  Seed();
  Id keep = Submit("hello", "1.0", armel_);
  Id gone = Submit("hello", "1.1", armel_);
  store_->ReportStatus(gone, "Building", "client1", 2000);
  store_->DeleteJob(gone);
  ExpectThrowWith<NotFound>([&] { store_->GetJob(gone); }, "no job");
  EXPECT_THROW(store_->JobHistoryOf(gone), NotFound);
  EXPECT_EQ(store_->BuildRequestOf(gone, nullptr), std::nullopt);
  EXPECT_THROW(store_->DeleteJob(gone), NotFound);
  EXPECT_EQ(Ids(store_->ListJobs({}, {})), (std::vector<Id>{keep}));
  EXPECT_EQ(store_->JobHistoryOf(keep).size(), 1u);
}

// A table that changed a lot is analyzed once, then not again until it
// changes again; the outbox is vacuumed once it holds many dead rows, and
// never analyzed (PostgreSQL; nothing to do on SQLite).
TEST_P(StoreTest, UpkeepAnalyzesTablesThatChangedALotAndVacuumsTheOutbox) {
  Seed();
  std::vector<Id> outbox;
  InTransaction(store_->db(), true, [&](Connection& c) {
    for (int i = 0; i < 2500; ++i) {
      c.Exec("INSERT INTO package (name, version, version_key) VALUES ($1, '1.0', $2)",
             {"stats" + std::to_string(i), debian::VersionSortKey("1.0")});
      outbox.push_back(AddOutbox(c, std::nullopt, "k", "", "{}", i));
    }
  });
  store_->DeleteOutbox(outbox);
  if (GetParam() == "sqlite") {
    EXPECT_TRUE(store_->Upkeep().empty());
    return;
  }
  auto has = [](const std::vector<std::string>& done, const std::string& s) {
    return std::find(done.begin(), done.end(), s) != done.end();
  };
  // Backends report their row counts to the statistics a moment later.
  bool analyzed = false, vacuumed = false;
  for (int i = 0; i < 50 && !(analyzed && vacuumed); ++i) {
    auto done = store_->Upkeep();
    EXPECT_FALSE(has(done, "ANALYZE outbox"));
    analyzed = analyzed || has(done, "ANALYZE package");
    vacuumed = vacuumed || has(done, "VACUUM outbox");
    if (!(analyzed && vacuumed)) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  EXPECT_TRUE(analyzed);
  EXPECT_TRUE(vacuumed);
  std::vector<std::string> again;
  for (int i = 0; i < 5; ++i) {  // the vacuum's own report may come late too
    again = store_->Upkeep();
    if (again.empty()) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  EXPECT_TRUE(again.empty()) << again.front();
}

TEST_P(StoreTest, Outbox) {
  Seed();
  Id job = Submit("hello", "1.0", armel_);
  std::vector<Id> ids = InTransaction(store_->db(), true, [&](Connection& c) {
    return std::vector<Id>{AddOutbox(c, job, "Debian.armel.chickpea.deb",
                                     "Debian_armel_chickpea_deb", "{\"a\":1}", 100),
                           AddOutbox(c, std::nullopt, "build_client_x", "", "{}", 200),
                           AddOutbox(c, job, "k", "q", "late", 300)};
  });
  auto pending = store_->PendingOutbox(300, 10);
  ASSERT_EQ(pending.size(), 2u);
  EXPECT_EQ(pending[0].id, ids[0]);
  EXPECT_EQ(pending[0].routing_key, "Debian.armel.chickpea.deb");
  EXPECT_EQ(pending[0].queue, "Debian_armel_chickpea_deb");
  EXPECT_EQ(pending[1].queue, "");
  EXPECT_EQ(pending[0].body, "{\"a\":1}");
  EXPECT_EQ(pending[0].created_us, 100);
  EXPECT_EQ(store_->PendingOutbox(1000, 1).size(), 1u);
  // Outbox rows never block deleting their job.
  store_->DeleteJob(job);
  store_->DeleteOutbox({ids[0], ids[2]});
  pending = store_->PendingOutbox(1000, 10);
  ASSERT_EQ(pending.size(), 1u);
  EXPECT_EQ(pending[0].id, ids[1]);
}

TEST_P(StoreTest, OutboxDeletesManyIds) {
  std::vector<Id> ids = InTransaction(store_->db(), true, [&](Connection& c) {
    std::vector<Id> out;
    for (int i = 0; i < 150; ++i) out.push_back(AddOutbox(c, std::nullopt, "k", "q", "b", i));
    return out;
  });
  ids.pop_back();
  store_->DeleteOutbox(ids);
  store_->DeleteOutbox({});
  auto pending = store_->PendingOutbox(1000, 1000);
  ASSERT_EQ(pending.size(), 1u);
  EXPECT_EQ(pending[0].created_us, 149);
}

// PostgreSQL: a submission transaction plans index lookups only (hash and
// merge joins, sequential and bitmap scans off), and only for itself: the
// next transaction on the same connection (a job list, say) plans freely.
class PostgresSubmitTest : public StoreTest {
 protected:
  void SetUp() override {
    store_ = std::make_unique<Store>(
        OpenPostgres({.conninfo = testing::FreshPostgresDatabase(), .pool_size = 1}));
    store_->Migrate();
  }
};

TEST_P(PostgresSubmitTest, SubmissionsPlanIndexLookupsOnlyForTheirOwnTransaction) {
  Seed();
  const char* kSettings =
      "SELECT current_setting('enable_hashjoin') || current_setting('enable_mergejoin')"
      " || current_setting('enable_seqscan') || current_setting('enable_bitmapscan')";
  std::string during = InTransaction(store_->db(), true, [&](Connection& c) {
    const SubmitKey key{"hello", "1.0", debian_, chickpea_, deb_, Target{armel_, {}, true}};
    SubmitTx(*store_, c).Lookup({&key, 1});
    return c.Exec(kSettings).text(0, 0);
  });
  EXPECT_EQ(during, "offoffoffoff");
  std::string after = InTransaction(store_->db(), false,
                                    [&](Connection& c) { return c.Exec(kSettings).text(0, 0); });
  EXPECT_EQ(after, "onononon");
}

INSTANTIATE_TEST_SUITE_P(Postgres, PostgresSubmitTest, ::testing::Values("postgres"));

}  // namespace
}  // namespace cbit::store
