// Store on both backends: lookup tables, packages, instances, suite arches,
// build-env mappings, blacklist and the catalog.
#include "core/wire.h"
#include "tests/store_fixture.h"

namespace cbit::store {
namespace {

std::vector<std::string> Names(const std::vector<Lookup>& ls) {
  std::vector<std::string> out;
  for (const auto& l : ls) out.push_back(l.name);
  return out;
}

TEST_P(StoreTest, LookupsOfEveryKindHaveCrud) {
  for (LookupKind kind : {LookupKind::kArch, LookupKind::kDist, LookupKind::kSuite,
                          LookupKind::kFormat, LookupKind::kBuildClient, LookupKind::kBuildEnv}) {
    Lookup b = store_->CreateLookup(kind, "b-name");
    Lookup a = store_->CreateLookup(kind, "a-name");
    EXPECT_EQ(Names(store_->ListLookups(kind, {})), (std::vector<std::string>{"a-name", "b-name"}));
    EXPECT_EQ(store_->CountLookups(kind), 2);
    EXPECT_EQ(store_->GetLookup(kind, b.id), b);
    EXPECT_EQ(store_->FindLookup(kind, "a-name"), a);
    EXPECT_EQ(store_->FindLookup(kind, "missing"), std::nullopt);
    store_->DeleteLookup(kind, b.id);
    EXPECT_THROW(store_->GetLookup(kind, b.id), NotFound);
    EXPECT_EQ(store_->CountLookups(kind), 1);
  }
}

TEST_P(StoreTest, LookupPagesAndCounts) {
  for (const char* name : {"e", "c", "a", "d", "b"}) store_->CreateLookup(LookupKind::kArch, name);
  EXPECT_EQ(Names(store_->ListLookups(LookupKind::kArch, {1, 2})),
            (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(Names(store_->ListLookups(LookupKind::kArch, {3, 2})), (std::vector<std::string>{"e"}));
  EXPECT_TRUE(store_->ListLookups(LookupKind::kArch, {4, 2}).empty());
  EXPECT_EQ(store_->ListLookups(LookupKind::kArch, {0, 2}).size(), 5u);
  EXPECT_EQ(store_->CountLookups(LookupKind::kArch), 5);
}

TEST_P(StoreTest, StatusesAreSeededWithPyBitIds) {
  const std::pair<const char*, Id> seeded[] = {{"Waiting", 1},  {"Blocked", 2}, {"Cancelled", 3},
                                               {"Building", 4}, {"Failed", 5},  {"Uploaded", 6},
                                               {"Done", 7}};
  for (const auto& [name, id] : seeded) {
    EXPECT_EQ(store_->FindLookup(LookupKind::kStatus, name), (Lookup{id, name}));
  }
  EXPECT_EQ(store_->ListLookups(LookupKind::kStatus, {}).front().name, "Blocked");
  // A new status still gets a fresh id (the identity is past the seeds).
  EXPECT_EQ(store_->CreateLookup(LookupKind::kStatus, "Extra").id, 8);
}

TEST_P(StoreTest, DuplicateLookupIsConflict) {
  store_->CreateLookup(LookupKind::kArch, "armel");
  ExpectThrowWith<Conflict>([&] { store_->CreateLookup(LookupKind::kArch, "armel"); },
                            "arch 'armel' already exists");
}

TEST_P(StoreTest, MissingLookupIsNotFound) {
  ExpectThrowWith<NotFound>([&] { store_->GetLookup(LookupKind::kArch, 999); },
                            "no arch with id 999");
  ExpectThrowWith<NotFound>([&] { store_->DeleteLookup(LookupKind::kSuite, 999); },
                            "no suite with id 999");
}

TEST_P(StoreTest, DeletingALookupInUseIsConflictNamingTheUser) {
  Seed();
  ExpectThrowWith<Conflict>([&] { store_->DeleteLookup(LookupKind::kArch, armel_); },
                            "still used by suitearches");
  Submit("hello", "1.0", i386_, wheezy_);
  ExpectThrowWith<Conflict>([&] { store_->DeleteLookup(LookupKind::kDist, debian_); },
                            "still used by packageinstance");
  EXPECT_NO_THROW(store_->GetLookup(LookupKind::kArch, armel_));
}

TEST_P(StoreTest, EnsureLookupGetsOrCreates) {
  Lookup first = store_->EnsureLookup(LookupKind::kBuildClient, "client1");
  EXPECT_EQ(store_->EnsureLookup(LookupKind::kBuildClient, "client1"), first);
  EXPECT_NE(store_->EnsureLookup(LookupKind::kBuildClient, "client2").id, first.id);
  EXPECT_EQ(store_->CountLookups(LookupKind::kBuildClient), 2);
}

TEST_P(StoreTest, Packages) {
  Package b1 = store_->CreatePackage("bpkg", "1.0");
  Package a2 = store_->CreatePackage("apkg", "2.0");
  Package a1 = store_->CreatePackage("apkg", "1.0");
  ExpectThrowWith<Conflict>([&] { store_->CreatePackage("apkg", "1.0"); }, "already exists");
  auto all = store_->ListPackages({});
  ASSERT_EQ(all.size(), 3u);
  EXPECT_EQ(all[0].id, a2.id);  // by name, then id
  EXPECT_EQ(all[1].id, a1.id);
  EXPECT_EQ(all[2].id, b1.id);
  EXPECT_EQ(store_->ListPackages({2, 2}).size(), 1u);
  EXPECT_EQ(store_->CountPackages(), 3);
  EXPECT_EQ(store_->GetPackage(a1.id).version, "1.0");
  EXPECT_EQ(store_->PackageNames(), (std::vector<std::string>{"apkg", "bpkg"}));
  EXPECT_EQ(store_->PackageDetails("apkg", std::nullopt).size(), 2u);
  auto one = store_->PackageDetails("apkg", "1.0");
  ASSERT_EQ(one.size(), 1u);
  EXPECT_EQ(one[0].id, a1.id);
  store_->DeletePackage(b1.id);
  ExpectThrowWith<NotFound>([&] { store_->GetPackage(b1.id); }, "no package with id");
  ExpectThrowWith<NotFound>([&] { store_->DeletePackage(b1.id); }, "no package with id");
}

TEST_P(StoreTest, PackageActiveFollowsItsJobs) {
  Seed();
  Id job = Submit("hello", "1.0", armel_);
  Id pkg = store_->GetJob(job).instance.package.id;
  EXPECT_TRUE(store_->PackageActive(pkg));
  store_->ReportStatus(job, "Done", std::nullopt, 2000);
  EXPECT_FALSE(store_->PackageActive(pkg));
  EXPECT_THROW(store_->PackageActive(999), NotFound);
  ExpectThrowWith<Conflict>([&] { store_->DeletePackage(pkg); }, "still used by packageinstance");
}

TEST_P(StoreTest, Instances) {
  Seed();
  Id pkg = store_->CreatePackage("hello", "1.0").id;
  PackageInstance plain =
      store_->CreateInstance(pkg, armel_, std::nullopt, chickpea_, debian_, deb_, true);
  PackageInstance in_env =
      store_->CreateInstance(pkg, i386_, wheezy_, chickpea_, debian_, deb_, false);
  EXPECT_EQ(plain.package.name, "hello");
  EXPECT_EQ(plain.arch.name, "armel");
  EXPECT_EQ(plain.build_env, std::nullopt);
  EXPECT_EQ(plain.suite.name, "chickpea");
  EXPECT_EQ(plain.dist.name, "Debian");
  EXPECT_EQ(plain.format.name, "deb");
  EXPECT_TRUE(plain.master);
  EXPECT_EQ(in_env.build_env, (Lookup{wheezy_, "wheezy"}));
  EXPECT_FALSE(in_env.master);

  auto all = store_->ListInstances({});
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0].id, plain.id);
  EXPECT_EQ(store_->ListInstances({2, 1}).at(0).id, in_env.id);
  EXPECT_EQ(store_->CountInstances(), 2);
  EXPECT_EQ(store_->InstancesOfPackage("hello").size(), 2u);
  EXPECT_TRUE(store_->InstancesOfPackage("other").empty());
  // Lists put the lookup names in by id; one instance is read joined.
  for (const auto& listed : {all, store_->InstancesOfPackage("hello")}) {
    EXPECT_EQ(wire::Encode(listed[0]), wire::Encode(plain));
    EXPECT_EQ(wire::Encode(listed[1]), wire::Encode(in_env));
    EXPECT_EQ(wire::Encode(listed[1]), wire::Encode(store_->GetInstance(in_env.id)));
  }

  store_->SetMaster(in_env.id, true);
  EXPECT_TRUE(store_->GetInstance(in_env.id).master);
  store_->SetMaster(in_env.id, false);
  EXPECT_FALSE(store_->GetInstance(in_env.id).master);
  EXPECT_THROW(store_->SetMaster(999, true), NotFound);

  // The same combination twice, with and without a build env.
  ExpectThrowWith<Conflict>(
      [&] { store_->CreateInstance(pkg, armel_, std::nullopt, chickpea_, debian_, deb_, false); },
      "already exists");
  EXPECT_THROW(store_->CreateInstance(pkg, i386_, wheezy_, chickpea_, debian_, deb_, false),
               Conflict);
  ExpectThrowWith<NotFound>(
      [&] { store_->CreateInstance(999, armel_, std::nullopt, chickpea_, debian_, deb_, false); },
      "no package with id 999");
  ExpectThrowWith<NotFound>(
      [&] { store_->CreateInstance(pkg, armel_, 998, chickpea_, debian_, deb_, false); },
      "no build environment with id 998");

  store_->DeleteInstance(in_env.id);
  EXPECT_THROW(store_->GetInstance(in_env.id), NotFound);
  EXPECT_THROW(store_->DeleteInstance(in_env.id), NotFound);
}

TEST_P(StoreTest, InstanceWithJobsCannotBeDeleted) {
  Seed();
  Id job = Submit("hello", "1.0", armel_);
  Id pi = store_->GetJob(job).instance.id;
  ExpectThrowWith<Conflict>([&] { store_->DeleteInstance(pi); }, "still used by job");
  store_->DeleteJob(job);
  EXPECT_NO_THROW(store_->DeleteInstance(pi));
}

TEST_P(StoreTest, SuiteArchesOrderedByWeight) {
  Seed();
  Id suite = store_->CreateLookup(LookupKind::kSuite, "development").id;
  SuiteArch light = store_->CreateSuiteArch(suite, armel_, 0);
  SuiteArch heavy = store_->CreateSuiteArch(suite, i386_, 5);
  EXPECT_EQ(heavy.suite, (Lookup{suite, "development"}));
  EXPECT_EQ(heavy.arch, (Lookup{i386_, "i386"}));
  EXPECT_EQ(heavy.master_weight, 5);
  auto all = store_->ListSuiteArches({});
  ASSERT_EQ(all.size(), 4u);
  EXPECT_EQ(all[0].id, heavy.id);
  EXPECT_EQ(all[1].master_weight, 1);
  EXPECT_EQ(all[3].id, light.id);  // weight 0, after chickpea/armel by id
  EXPECT_EQ(store_->ListSuiteArches({1, 1}).at(0).id, heavy.id);
  EXPECT_EQ(store_->CountSuiteArches(), 4);
  EXPECT_EQ(store_->GetSuiteArch(light.id).arch.name, "armel");

  ExpectThrowWith<Conflict>([&] { store_->CreateSuiteArch(suite, armel_, 3); }, "already has");
  ExpectThrowWith<NotFound>([&] { store_->CreateSuiteArch(999, armel_, 0); },
                            "no suite with id 999");
  ExpectThrowWith<NotFound>([&] { store_->CreateSuiteArch(suite, 998, 0); }, "no arch with id 998");
  store_->DeleteSuiteArch(light.id);
  EXPECT_THROW(store_->GetSuiteArch(light.id), NotFound);
  Id mapped = store_->ListEnvSuiteArches({}).at(0).suitearch.id;
  ExpectThrowWith<Conflict>([&] { store_->DeleteSuiteArch(mapped); },
                            "still used by buildenvsuitearch");
}

TEST_P(StoreTest, EnvSuiteArches) {
  Seed();
  auto all = store_->ListEnvSuiteArches({});
  ASSERT_EQ(all.size(), 1u);
  EXPECT_EQ(all[0].build_env, (Lookup{wheezy_, "wheezy"}));
  EXPECT_EQ(all[0].suitearch.arch.name, "i386");
  EXPECT_EQ(all[0].suitearch.suite.name, "chickpea");
  EXPECT_EQ(all[0].suitearch.master_weight, 1);

  Id sa = store_->ListSuiteArches({}).back().id;  // chickpea/armel
  Id squeeze = store_->CreateLookup(LookupKind::kBuildEnv, "squeeze").id;
  BuildEnvSuiteArch made = store_->CreateEnvSuiteArch(squeeze, sa);
  EXPECT_EQ(made.build_env.name, "squeeze");
  EXPECT_EQ(made.suitearch.arch.name, "armel");
  EXPECT_EQ(store_->CountEnvSuiteArches(), 2);
  EXPECT_EQ(store_->ListEnvSuiteArches({2, 1}).at(0).id, made.id);
  EXPECT_EQ(store_->GetEnvSuiteArch(made.id).build_env.id, squeeze);
  ExpectThrowWith<Conflict>([&] { store_->CreateEnvSuiteArch(squeeze, sa); }, "already serves");
  ExpectThrowWith<NotFound>([&] { store_->CreateEnvSuiteArch(squeeze, 999); },
                            "no suite arch with id 999");
  ExpectThrowWith<Conflict>([&] { store_->DeleteLookup(LookupKind::kBuildEnv, squeeze); },
                            "still used by buildenvsuitearch");
  store_->DeleteEnvSuiteArch(made.id);
  EXPECT_THROW(store_->GetEnvSuiteArch(made.id), NotFound);
  EXPECT_THROW(store_->DeleteEnvSuiteArch(made.id), NotFound);
}

TEST_P(StoreTest, Blacklist) {
  Blacklist a = store_->CreateBlacklist("name", "^bad-.*");
  Blacklist b = store_->CreateBlacklist("vcs_uri", "evil\\.example");
  auto all = store_->ListBlacklist({});
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0].regex, "^bad-.*");
  EXPECT_EQ(all[1].field, "vcs_uri");
  EXPECT_EQ(store_->ListBlacklist({2, 1}).at(0).id, b.id);
  EXPECT_EQ(store_->CountBlacklist(), 2);
  EXPECT_EQ(store_->GetBlacklist(a.id).field, "name");
  store_->DeleteBlacklist(a.id);
  ExpectThrowWith<NotFound>([&] { store_->GetBlacklist(a.id); }, "no blacklist rule with id");
  EXPECT_THROW(store_->DeleteBlacklist(a.id), NotFound);
}

TEST_P(StoreTest, CatalogHoldsWhatSubmissionsNeed) {
  Seed();
  store_->CreateBlacklist("name", "^bad");
  Catalog cat = store_->LoadCatalog();
  EXPECT_EQ(Names(cat.arches), (std::vector<std::string>{"armel", "i386"}));
  EXPECT_EQ(Names(cat.suites), (std::vector<std::string>{"chickpea"}));
  EXPECT_EQ(cat.statuses.size(), 7u);
  ASSERT_EQ(cat.suitearches.size(), 2u);
  EXPECT_EQ(cat.suitearches[0].arch.name, "i386");  // heaviest first
  ASSERT_EQ(cat.env_suitearches.size(), 1u);
  EXPECT_EQ(cat.blacklist.size(), 1u);
  ASSERT_NE(cat.Find(LookupKind::kDist, "Debian"), nullptr);
  EXPECT_EQ(cat.Find(LookupKind::kDist, "Debian")->id, debian_);
  EXPECT_EQ(cat.Find(LookupKind::kBuildEnv, "wheezy")->id, wheezy_);
  EXPECT_EQ(cat.Find(LookupKind::kFormat, "deb")->id, deb_);
  EXPECT_EQ(cat.Find(LookupKind::kStatus, "Done")->id, 7);
  EXPECT_EQ(cat.Find(LookupKind::kArch, "sparc"), nullptr);
}

INSTANTIATE_TEST_SUITE_P(Backends, StoreTest, ::testing::Values("sqlite", "postgres"),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace cbit::store
