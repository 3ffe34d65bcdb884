#include "controller/catalog_cache.h"

#include <gtest/gtest.h>

#include <condition_variable>
#include <future>
#include <stdexcept>

namespace cbit::controller {
namespace {

using std::chrono::milliseconds;

// A loader that counts its calls and can be held inside a call.
class Loader {
 public:
  store::Catalog operator()() {
    std::unique_lock lock(mu_);
    int n = ++calls_;
    cv_.notify_all();
    // Bounded, so that a test whose cache loads where it should not fails
    // instead of hanging.
    if (!cv_.wait_for(lock, std::chrono::seconds(10), [&] { return !hold_; }))
      throw std::runtime_error("load " + std::to_string(n) + " held for 10 s");
    if (fail_) throw std::runtime_error("database down");
    store::Catalog c;
    c.arches.push_back({n, "arch" + std::to_string(n)});
    return c;
  }
  void Hold(bool on) {
    std::lock_guard lock(mu_);
    hold_ = on;
    cv_.notify_all();
  }
  void Fail(bool on) {
    std::lock_guard lock(mu_);
    fail_ = on;
  }
  void AwaitCalls(int n) {
    std::unique_lock lock(mu_);
    cv_.wait(lock, [&] { return calls_ >= n; });
  }
  int calls() {
    std::lock_guard lock(mu_);
    return calls_;
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  int calls_ = 0;
  bool hold_ = false;
  bool fail_ = false;
};

Id ArchOf(const std::shared_ptr<const CatalogSnapshot>& s) { return s->catalog.arches.at(0).id; }

TEST(CatalogCache, LoadsOnceWithinTheTtlAndAgainAfterAnInvalidation) {
  Loader loader;
  CatalogCache cache([&] { return loader(); }, std::chrono::hours(1));
  EXPECT_EQ(ArchOf(cache.Get()), 1);
  EXPECT_EQ(ArchOf(cache.Get()), 1);
  EXPECT_EQ(loader.calls(), 1);
  cache.Invalidate();
  EXPECT_EQ(ArchOf(cache.Get()), 2);
  EXPECT_EQ(loader.calls(), 2);
}

// A cache whose snapshots expire at once, so every Get after the first
// finds one to refresh.
class ExpiringCatalogCache : public ::testing::Test {
 protected:
  // A Get on a thread of its own, held inside the loader's `call`-th load.
  std::future<Id> HeldGet(int call) {
    loader_.Hold(true);
    auto get = std::async(std::launch::async, [this] { return ArchOf(cache_.Get()); });
    loader_.AwaitCalls(call);
    return get;
  }

  Loader loader_;
  CatalogCache cache_{[this] { return loader_(); }, milliseconds(0)};
};

TEST_F(ExpiringCatalogCache, OneCallerRefreshesAnExpiredSnapshotWhileOthersKeepIt) {
  EXPECT_EQ(ArchOf(cache_.Get()), 1);
  auto refresher = HeldGet(2);
  // Meanwhile: the expired snapshot, no second load.
  EXPECT_EQ(ArchOf(cache_.Get()), 1);
  EXPECT_EQ(ArchOf(cache_.Get()), 1);
  EXPECT_EQ(loader_.calls(), 2);
  loader_.Hold(false);
  EXPECT_EQ(refresher.get(), 2);
}

TEST_F(ExpiringCatalogCache, AFailedRefreshIsRetriedByTheNextCaller) {
  EXPECT_EQ(ArchOf(cache_.Get()), 1);
  loader_.Fail(true);
  EXPECT_THROW(cache_.Get(), std::runtime_error);
  loader_.Fail(false);
  EXPECT_EQ(ArchOf(cache_.Get()), 3);
}

TEST_F(ExpiringCatalogCache, AnInvalidationDuringARefreshIsNotLost) {
  EXPECT_EQ(ArchOf(cache_.Get()), 1);
  auto refresher = HeldGet(2);
  cache_.Invalidate();
  auto after = HeldGet(3);  // no snapshot to fall back on: it loads itself
  loader_.Hold(false);
  EXPECT_EQ(refresher.get(), 2);  // its own load, for this call only
  EXPECT_EQ(after.get(), 3);
  // The refresh that raced with the invalidation was not kept: while a new
  // refresh is held, the snapshot others get is the one loaded after it.
  auto next = HeldGet(4);
  EXPECT_EQ(ArchOf(cache_.Get()), 3);
  loader_.Hold(false);
  EXPECT_EQ(next.get(), 4);
}

}  // namespace
}  // namespace cbit::controller
