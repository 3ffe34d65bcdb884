// The lookup tables (arch, distribution, suite, format, status, build
// clients, build environments) and every name each one goes by: its SQL
// table, the noun of its messages, its pyBit class and its REST collection.
// One row per kind, so the store, the codec and the routes read one table.
#pragma once

#include <array>
#include <cstddef>
#include <string_view>

#include "core/model.h"

namespace cbit {

struct LookupKindInfo {
  LookupKind kind;
  std::string_view table;      ///< SQL table
  std::string_view noun;       ///< in messages: "no build client 7"
  std::string_view class_tag;  ///< pyBit's JSON class
  std::string_view route;      ///< REST collection
  bool long_page;              ///< pyBit pages it by 10, not 5
  bool arch_names;             ///< names are architectures, not plain Debian tokens
};

/// Indexed by LookupKind.
inline constexpr std::array<LookupKindInfo, 7> kLookupKinds = {{
    {LookupKind::kArch, "arch", "arch", "pybit.models.Arch", "/arch", false, true},
    {LookupKind::kDist, "distribution", "distribution", "pybit.models.Dist", "/dist", false, false},
    {LookupKind::kSuite, "suite", "suite", "pybit.models.Suite", "/suite", false, false},
    {LookupKind::kFormat, "format", "format", "pybit.models.Format", "/format", false, false},
    {LookupKind::kStatus, "status", "status", "pybit.models.Status", "/status", false, false},
    {LookupKind::kBuildClient, "buildclients", "build client", "pybit.models.BuildD", "/buildd",
     true, false},
    {LookupKind::kBuildEnv, "buildenv", "build environment", "pybit.models.BuildEnv", "/env", false,
     false},
}};

constexpr const LookupKindInfo& InfoOf(LookupKind kind) {
  return kLookupKinds.at(static_cast<std::size_t>(kind));
}

static_assert([] {
  for (std::size_t i = 0; i < kLookupKinds.size(); ++i)
    if (static_cast<std::size_t>(kLookupKinds[i].kind) != i) return false;
  return true;
}());

}  // namespace cbit
