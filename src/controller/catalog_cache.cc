#include "controller/catalog_cache.h"

namespace cbit::controller {

std::shared_ptr<const CatalogSnapshot> CatalogCache::Get() {
  auto now = std::chrono::steady_clock::now();
  std::uint64_t gen;
  bool refresher = false;
  {
    std::lock_guard lock(mu_);
    if (snap_ && now - loaded_ < ttl_) return snap_;
    // An expired snapshot is refreshed by one caller; the others go on with
    // it meanwhile, rather than all loading the same rows at once.
    if (snap_ && refreshing_) return snap_;
    refresher = snap_ != nullptr;
    refreshing_ = refreshing_ || refresher;
    gen = generation_;
  }
  // Load outside the lock: a slow database must not stall readers of a
  // snapshot that is still good enough.
  std::shared_ptr<const CatalogSnapshot> fresh;
  try {
    store::Catalog c = load_();
    BlacklistMatcher m(c.blacklist);
    fresh = std::make_shared<const CatalogSnapshot>(CatalogSnapshot{std::move(c), std::move(m)});
  } catch (...) {
    std::lock_guard lock(mu_);
    if (refresher) refreshing_ = false;
    throw;
  }
  std::lock_guard lock(mu_);
  if (refresher) refreshing_ = false;
  // A load that raced with an invalidation may hold old rows: use it for
  // this request only.
  if (gen == generation_) {
    snap_ = fresh;
    loaded_ = now;
  }
  return fresh;
}

void CatalogCache::Invalidate() {
  std::lock_guard lock(mu_);
  snap_.reset();
  ++generation_;
}

}  // namespace cbit::controller
