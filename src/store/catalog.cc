#include "store/store.h"

namespace cbit::store {

const Lookup* Catalog::Find(LookupKind kind, std::string_view name) const {
  const std::vector<Lookup>* table = nullptr;
  switch (kind) {
    case LookupKind::kArch:
      table = &arches;
      break;
    case LookupKind::kDist:
      table = &dists;
      break;
    case LookupKind::kSuite:
      table = &suites;
      break;
    case LookupKind::kFormat:
      table = &formats;
      break;
    case LookupKind::kStatus:
      table = &statuses;
      break;
    case LookupKind::kBuildEnv:
      table = &buildenvs;
      break;
    case LookupKind::kBuildClient:
      return nullptr;
  }
  for (const auto& l : *table)
    if (l.name == name) return &l;
  return nullptr;
}

}  // namespace cbit::store
