// The fixture of the store tests: a migrated Store on the backend named by
// the test parameter, a small seeded world, and a helper that submits a job
// the way the controller does (SubmitTx in one write transaction).
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <optional>
#include <string>

#include "store/store.h"
#include "tests/support/databases.h"

namespace cbit::store {

class StoreTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    store_ = std::make_unique<Store>(testing::OpenTestDatabase(GetParam()));
    store_->Migrate();
  }

  /// armel and i386 in suite chickpea (i386 heavier), dist Debian, format
  /// deb, build env wheezy serving chickpea/i386.
  void Seed() {
    armel_ = store_->CreateLookup(LookupKind::kArch, "armel").id;
    i386_ = store_->CreateLookup(LookupKind::kArch, "i386").id;
    chickpea_ = store_->CreateLookup(LookupKind::kSuite, "chickpea").id;
    debian_ = store_->CreateLookup(LookupKind::kDist, "Debian").id;
    deb_ = store_->CreateLookup(LookupKind::kFormat, "deb").id;
    wheezy_ = store_->CreateLookup(LookupKind::kBuildEnv, "wheezy").id;
    store_->CreateSuiteArch(chickpea_, armel_, 0);
    Id sa = store_->CreateSuiteArch(chickpea_, i386_, 1).id;
    store_->CreateEnvSuiteArch(wheezy_, sa);
  }

  /// Submits one job of name/version for an arch and build env; returns its id.
  Id Submit(const std::string& name, const std::string& version, Id arch,
            std::optional<Id> env = std::nullopt, std::int64_t now = 1000) {
    return InTransaction(store_->db(), true, [&](Connection& c) {
      SubmitTx tx(*store_, c);
      const SubmitKey key{name, version, debian_, chickpea_, deb_, Target{arch, env, true}};
      SubmitState state = tx.Lookup({&key, 1});
      const Transport t{"git", "https://example.org/" + name, "abc"};
      const NewJob job{state.job_ids[0], state.instances[0].first, &t,
                       env ? std::optional<std::string>("wheezy") : std::nullopt};
      tx.CreateJobs({&job, 1}, now);
      return job.id;
    });
  }

  /// Records one outbox row; returns its id.
  Id AddOutbox(Connection& c, std::optional<Id> job, const std::string& routing_key,
               const std::string& queue, const std::string& body, std::int64_t now) {
    const NewOutbox row{NewOutboxId(), job, routing_key, queue, body};
    SubmitTx(*store_, c).AddOutbox({&row, 1}, now);
    return row.id;
  }

  std::unique_ptr<Store> store_;
  Id armel_ = 0, i386_ = 0, chickpea_ = 0, debian_ = 0, deb_ = 0, wheezy_ = 0;
};

/// Expects `fn` to throw E with `needle` in its message.
template <typename E, typename F>
void ExpectThrowWith(F&& fn, const std::string& needle) {
  try {
    fn();
    ADD_FAILURE() << "no exception; expected one saying: " << needle;
  } catch (const E& e) {
    EXPECT_NE(std::string(e.what()).find(needle), std::string::npos) << e.what();
  }
}

}  // namespace cbit::store
