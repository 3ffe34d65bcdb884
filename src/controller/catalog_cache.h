// The catalog (names → ids, suite/arch map, build envs, blacklist) read on
// every submission, cached. Local changes invalidate it at once; changes made
// by another controller on the same database are seen within `ttl` (and the
// time one reload takes: while one caller reloads an expired snapshot, the
// others keep using it).
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
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
  /// `load` reads the catalog from the store (Store::LoadCatalog).
  CatalogCache(std::function<store::Catalog()> load, std::chrono::milliseconds ttl)
      : load_(std::move(load)), ttl_(ttl) {}
  std::shared_ptr<const CatalogSnapshot> Get();
  void Invalidate();

 private:
  std::function<store::Catalog()> load_;
  std::chrono::milliseconds ttl_;
  std::mutex mu_;
  std::shared_ptr<const CatalogSnapshot> snap_;
  std::chrono::steady_clock::time_point loaded_;
  std::uint64_t generation_ = 0;  ///< bumped by Invalidate()
  bool refreshing_ = false;       ///< a caller is reloading an expired snapshot
};

}  // namespace cbit::controller
