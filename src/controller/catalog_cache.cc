#include "controller/catalog_cache.h"

namespace cbit::controller {

std::shared_ptr<const CatalogSnapshot> CatalogCache::Get() {
  auto now = std::chrono::steady_clock::now();
  std::uint64_t gen;
  {
    std::lock_guard lock(mu_);
    if (snap_ && now - loaded_ < ttl_) return snap_;
    gen = generation_;
  }
  // Load outside the lock: a slow database must not stall readers of a
  // snapshot that is still good enough.
  store::Catalog c = store_.LoadCatalog();
  BlacklistMatcher m(c.blacklist);
  auto fresh = std::make_shared<const CatalogSnapshot>(CatalogSnapshot{std::move(c), std::move(m)});
  std::lock_guard lock(mu_);
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
