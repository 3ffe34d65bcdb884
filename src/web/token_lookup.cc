#include "web/token_lookup.h"

#include <memory>
#include <mutex>
#include <sstream>
#include <unordered_map>

#include "store/sessions.h"
#include "util/clock.h"

namespace cbit::web {
namespace {

constexpr std::int64_t kTouchEveryUs = 60'000'000;

// When each token's use was last written.
struct Touches {
  std::mutex mu;
  std::unordered_map<Id, std::int64_t> written;

  bool Due(Id id, std::int64_t now) {
    std::lock_guard lock(mu);
    if (written.size() > 100000) written.clear();
    auto [it, fresh] = written.try_emplace(id, now);
    if (!fresh && now - it->second < kTouchEveryUs) return false;
    it->second = now;
    return true;
  }
};

// A dashboard session's secret is looked up like a token's (the router
// sends the cookie's secret as one); its role is the one signed in with.
std::optional<Principal> SessionOf(store::Database& db, const std::string& digest) {
  auto s = store::Sessions(db).Find(digest, NowMicros());
  if (!s) return std::nullopt;
  auto role = ParseRole(s->role);
  if (!role) return std::nullopt;
  return Principal{s->user, *role, s->client, {}};
}

}  // namespace

std::vector<std::string> SplitQueues(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string q; in >> q;) out.push_back(q);
  return out;
}

std::string JoinQueues(const std::vector<std::string>& queues) {
  std::string out;
  for (const auto& q : queues) out += (out.empty() ? "" : " ") + q;
  return out;
}

std::optional<Principal> PrincipalOf(const store::TokenRow& row) {
  auto role = ParseRole(row.role);
  if (!role) return std::nullopt;
  return Principal{row.name, *role, row.client, SplitQueues(row.queues)};
}

TokenLookup StoreTokenLookup(store::Database& db) {
  auto touches = std::make_shared<Touches>();
  return [&db, touches](const std::string& digest) -> std::optional<Principal> {
    store::Tokens tokens(db);
    auto row = tokens.FindValid(digest);
    if (!row) return SessionOf(db, digest);
    if (std::int64_t now = NowMicros(); touches->Due(row->id, now)) tokens.Touch(row->id, now);
    return PrincipalOf(*row);
  };
}

}  // namespace cbit::web
