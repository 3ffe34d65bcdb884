// The provenance of build attempts in the store, on both backends: kept per
// attempt by the report that ends it, read back by attempt, and 404s that
// name what is missing.
#include "store/provenance.h"
#include "tests/store_fixture.h"

namespace cbit::store {
namespace {

class ProvenanceStore : public StoreTest {
 protected:
  Provenance Sent(Id job, std::string buildinfo) {
    Provenance p;
    p.job = job;
    p.client = "build_client_a";
    p.client_version = "cbit-client 0.1.0";
    p.builder = "isolated (cbit-sandbox 0.1.0)";
    p.root_digest = "sha256:00ff";
    p.root_created = "2026-12-01T10:00:00Z";
    p.buildinfo = std::move(buildinfo);
    p.recorded = 5000;
    return p;
  }
};

TEST_P(ProvenanceStore, EachAttemptKeepsItsOwn) {
  Seed();
  Id job = Submit("hello", "1.0", armel_);
  ExpectThrowWith<Conflict>([&] { RecordProvenance(*store_, Sent(job, "x")); },
                            "has not been built");
  ExpectThrowWith<NotFound>([&] { GetProvenance(*store_, job, std::nullopt); },
                            "job " + std::to_string(job) + " has not been built yet");

  store_->ReportStatus(job, "Building", "build_client_a", 2000);
  ExpectThrowWith<NotFound>([&] { GetProvenance(*store_, job, std::nullopt); },
                            "build attempt 1 has no provenance");
  store_->ReportStatus(job, "Waiting", "build_client_a", 3000);
  EXPECT_EQ(RecordProvenance(*store_, Sent(job, "first")).attempt, 1);
  // The same report again (its answer lost) replaces it.
  RecordProvenance(*store_, Sent(job, "first, again"));
  store_->ReportStatus(job, "Building", "build_client_b", 4000);
  Provenance failed = Sent(job, "");
  failed.buildinfo = std::nullopt;
  failed.client = "build_client_b";
  RecordProvenance(*store_, failed);

  Provenance latest = GetProvenance(*store_, job, std::nullopt);
  EXPECT_EQ(latest.attempt, 2);
  EXPECT_EQ(latest.client, "build_client_b");
  EXPECT_EQ(latest.buildinfo, std::nullopt);
  Provenance first = GetProvenance(*store_, job, 1);
  EXPECT_EQ(first.attempt, 1);
  EXPECT_EQ(first.client, "build_client_a");
  EXPECT_EQ(first.buildinfo, "first, again");
  EXPECT_EQ(first.client_version, "cbit-client 0.1.0");
  EXPECT_EQ(first.builder, "isolated (cbit-sandbox 0.1.0)");
  EXPECT_EQ(first.root_digest, "sha256:00ff");
  EXPECT_EQ(first.root_created, "2026-12-01T10:00:00Z");
  EXPECT_EQ(first.recorded, 5000);

  ExpectThrowWith<NotFound>([&] { GetProvenance(*store_, job, 3); },
                            "has no build attempt 3 (it has had 2)");
  ExpectThrowWith<NotFound>([&] { GetProvenance(*store_, 999, std::nullopt); },
                            "no job with id 999");
  store_->DeleteJob(job);  // its provenance goes with it
  ExpectThrowWith<NotFound>([&] { GetProvenance(*store_, job, std::nullopt); }, "no job with id");
}

INSTANTIATE_TEST_SUITE_P(Backends, ProvenanceStore, ::testing::Values("sqlite", "postgres"));

}  // namespace
}  // namespace cbit::store
