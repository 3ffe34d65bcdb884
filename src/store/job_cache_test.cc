#include "store/job_cache.h"

#include <gtest/gtest.h>

namespace cbit::store {
namespace {

Job JobWith(Id id, const std::string& status) {
  Job j;
  j.id = id;
  j.status = status;
  j.instance.package = {1, "hello", "1.0-1"};
  return j;
}

TEST(JobCacheTest, KeepsWhatWasFilledUntilInvalidated) {
  JobCache cache(100);
  EXPECT_FALSE(cache.Find(7));
  cache.Fill(JobWith(7, "Waiting"), cache.Ticket(7));
  ASSERT_TRUE(cache.Find(7));
  EXPECT_EQ(cache.Find(7)->status, "Waiting");
  EXPECT_EQ(cache.Find(7)->instance.package.name, "hello");

  const Id changed[] = {7};
  cache.Invalidate(changed);
  EXPECT_FALSE(cache.Find(7));
}

TEST(JobCacheTest, DropsAReadThatRacedWithAChange) {
  JobCache cache(100);
  std::uint64_t ticket = cache.Ticket(7);  // the reader starts its query…
  const Id changed[] = {7};
  cache.Invalidate(changed);                  // …a writer commits a change to job 7…
  cache.Fill(JobWith(7, "Waiting"), ticket);  // …and the reader got the old row
  EXPECT_FALSE(cache.Find(7));

  // A read that started after the change is kept.
  cache.Fill(JobWith(7, "Building"), cache.Ticket(7));
  EXPECT_EQ(cache.Find(7)->status, "Building");
}

TEST(JobCacheTest, AChangeToAnotherShardDoesNotDropARead) {
  JobCache cache(100);
  std::uint64_t ticket = cache.Ticket(7);
  const Id other[] = {8};
  cache.Invalidate(other);
  cache.Fill(JobWith(7, "Waiting"), ticket);
  EXPECT_TRUE(cache.Find(7));
}

TEST(JobCacheTest, ClearDropsEverythingAndReadsInFlight) {
  JobCache cache(100);
  cache.Fill(JobWith(1, "Waiting"), cache.Ticket(1));
  std::uint64_t ticket = cache.Ticket(2);
  cache.Clear();
  cache.Fill(JobWith(2, "Waiting"), ticket);
  EXPECT_FALSE(cache.Find(1));
  EXPECT_FALSE(cache.Find(2));
}

TEST(JobCacheTest, DisabledKeepsNothingAndEnablingStartsEmpty) {
  JobCache cache(100, /*enabled=*/false);
  cache.Fill(JobWith(1, "Waiting"), cache.Ticket(1));
  EXPECT_FALSE(cache.Find(1));

  std::uint64_t before = cache.Ticket(2);
  cache.SetEnabled(true);
  cache.Fill(JobWith(2, "Waiting"), before);  // read while it could miss changes
  EXPECT_FALSE(cache.Find(2));
  cache.Fill(JobWith(2, "Waiting"), cache.Ticket(2));
  EXPECT_TRUE(cache.Find(2));

  cache.SetEnabled(false);
  EXPECT_FALSE(cache.Find(2));
  EXPECT_EQ(cache.size(), 0u);
}

TEST(JobCacheTest, CapacityZeroNeverCaches) {
  JobCache cache(0);
  cache.SetEnabled(true);
  cache.Fill(JobWith(1, "Waiting"), cache.Ticket(1));
  EXPECT_FALSE(cache.Find(1));
}

TEST(JobCacheTest, TheOldestFillLeavesFirst) {
  JobCache cache(std::size_t{16} * 2);                                              // two per shard
  for (Id id : {16, 32, 48}) cache.Fill(JobWith(id, "Waiting"), cache.Ticket(id));  // one shard
  EXPECT_FALSE(cache.Find(16));
  EXPECT_TRUE(cache.Find(32));
  EXPECT_TRUE(cache.Find(48));

  // Refilling an entry does not leave a stale turn that evicts it early.
  cache.Fill(JobWith(32, "Building"), cache.Ticket(32));
  cache.Fill(JobWith(64, "Waiting"), cache.Ticket(64));
  EXPECT_FALSE(cache.Find(48));
  EXPECT_EQ(cache.Find(32)->status, "Building");
  EXPECT_TRUE(cache.Find(64));
  EXPECT_LE(cache.size(), 32u);
}

}  // namespace
}  // namespace cbit::store
