#include "controller/resolve.h"

#include <algorithm>
#include <tuple>

namespace cbit::controller {

std::vector<std::string> SplitArchList(const std::string& list) {
  std::vector<std::string> out;
  std::string cur;
  auto flush = [&] {
    if (!cur.empty()) out.push_back(cur);
    cur.clear();
  };
  for (char c : list) {
    if (c == ',' || c == ' ' || c == '\t') {
      flush();
    } else {
      cur += c;
    }
  }
  flush();
  return out;
}

std::vector<ResolvedTarget> ResolveTargets(const store::Catalog& catalog, Id suite_id,
                                           const std::vector<std::string>& arch_list,
                                           const std::optional<std::string>& requested_env) {
  // Every suitearch of the suite, paired with each build env mapped to it,
  // or with "no env" when none is.
  struct Combo {
    const SuiteArch* sa;
    std::optional<Lookup> env;
  };
  std::vector<Combo> combos;
  for (const auto& sa : catalog.suitearches) {
    if (sa.suite.id != suite_id) continue;
    bool mapped = false;
    for (const auto& m : catalog.env_suitearches) {
      if (m.suitearch.id != sa.id) continue;
      combos.push_back({&sa, m.build_env});
      mapped = true;
    }
    if (!mapped) combos.push_back({&sa, std::nullopt});
  }
  // Build env id order with "no env" last, then heaviest arch first: the
  // first combination of each env group becomes that group's master.
  std::stable_sort(combos.begin(), combos.end(), [](const Combo& a, const Combo& b) {
    auto key = [](const Combo& c) {
      return std::make_tuple(!c.env.has_value(), c.env ? c.env->id : 0, -c.sa->master_weight,
                             c.sa->id);
    };
    return key(a) < key(b);
  });
  if (requested_env) {
    std::erase_if(combos, [&](const Combo& c) { return !c.env || c.env->name != *requested_env; });
  }

  auto has = [&](std::string_view n) {
    return std::find(arch_list.begin(), arch_list.end(), n) != arch_list.end();
  };
  auto same_env = [](const std::optional<Lookup>& a, const std::optional<Lookup>& b) {
    return a.has_value() == b.has_value() && (!a || a->id == b->id);
  };

  std::vector<ResolvedTarget> out;
  auto seen_env = [&](const std::optional<Lookup>& env) {
    return std::any_of(out.begin(), out.end(),
                       [&](const ResolvedTarget& t) { return same_env(t.build_env, env); });
  };
  for (const auto& c : combos) {
    bool take;
    if (has("any")) {
      take = true;
    } else if (has("all")) {
      // arch:all needs one build per build env: its first (heaviest) arch.
      take = !seen_env(c.env);
    } else {
      take = has(c.sa->arch.name);
    }
    if (!take) continue;
    bool master = !seen_env(c.env);
    out.push_back({c.sa->arch, c.env, master});
  }
  return out;
}

}  // namespace cbit::controller
