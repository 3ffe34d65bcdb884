// Which package instances a submission builds (docs/design.md, "Submission", step 4): the
// suite's arches paired with their build environments, narrowed by the
// package's Architecture list. Pure: unit-tested against an in-memory Catalog.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/model.h"
#include "store/store.h"

namespace cbit::controller {

struct ResolvedTarget {
  Lookup arch;
  std::optional<Lookup> build_env;
  bool master = false;  ///< first target of its build environment
};

/// Splits "all, any,i386" into names; empty entries dropped.
std::vector<std::string> SplitArchList(const std::string& list);

/// The targets of a submission, in dispatch order. `requested_env` (from a
/// retry or resubmission) keeps only that build environment. Empty when the
/// suite supports none of the requested arches.
std::vector<ResolvedTarget> ResolveTargets(const store::Catalog& catalog, Id suite_id,
                                           const std::vector<std::string>& arch_list,
                                           const std::optional<std::string>& requested_env);

}  // namespace cbit::controller
