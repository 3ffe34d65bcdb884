// The catalog (names → ids, suite/arch map, build envs, blacklist) read on
// every submission, cached. Local changes invalidate it at once; changes made
// by another controller on the same database are seen within `ttl`.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>

#include "controller/blacklist.h"
#include "store/store.h"

namespace cbit::controller {

struct CatalogSnapshot {
  store::Catalog catalog;
  BlacklistMatcher blacklist;
};

class CatalogCache {
 public:
  CatalogCache(store::Store& store, std::chrono::milliseconds ttl) : store_(store), ttl_(ttl) {}
  std::shared_ptr<const CatalogSnapshot> Get();
  void Invalidate();

 private:
  store::Store& store_;
  std::chrono::milliseconds ttl_;
  std::mutex mu_;
  std::shared_ptr<const CatalogSnapshot> snap_;
  std::chrono::steady_clock::time_point loaded_;
  std::uint64_t generation_ = 0;  ///< bumped by Invalidate()
};

}  // namespace cbit::controller
