#include "web/token_cli.h"

#include <ctime>
#include <ostream>

#include "core/debian.h"
#include "store/tokens.h"
#include "util/clock.h"
#include "web/api_token.h"
#include "web/auth.h"
#include "web/token_lookup.h"

namespace cbit::web {
namespace {

constexpr int kOk = 0;
constexpr int kBad = 1;

std::string Time(const std::optional<std::int64_t>& us) {
  if (!us) return "-";
  std::time_t t = static_cast<std::time_t>(*us / 1000000);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

// Why the request cannot be a token; empty when it can.
std::string Problem(const TokenRequest& r) {
  if (!debian::IsToken(r.name)) return "token name '" + r.name + "' is malformed";
  auto role = ParseRole(r.role);
  if (!role) return "role '" + r.role + "' is not admin, builder, watcher, submitter or reader";
  if (*role == Role::kBuilder && !debian::IsToken(r.client))
    return "a builder token needs --client naming its build client";
  if (*role != Role::kBuilder && (!r.client.empty() || !r.queues.empty()))
    return "only a builder token is bound to a client and queues";
  for (const auto& q : r.queues)
    if (!debian::IsToken(q)) return "queue '" + q + "' is malformed";
  return "";
}

}  // namespace

int AddToken(store::Database& db, const TokenRequest& r, std::ostream& out, std::ostream& err) {
  if (std::string why = Problem(r); !why.empty()) {
    err << "cbit-web token add: " << why << "\n";
    return kBad;
  }
  std::string token = NewToken();
  store::TokenRow row{.name = r.name,
                      .digest = TokenDigest(token),
                      .role = r.role,
                      .client = r.client,
                      .queues = JoinQueues(r.queues),
                      .created_us = NowMicros()};
  try {
    row = store::Tokens(db).Add(row);
  } catch (const store::DbError& e) {
    if (e.kind != store::DbErrorKind::kUnique) throw;
    err << "cbit-web token add: a valid token named " << r.name << " exists (revoke it first)\n";
    return kBad;
  }
  out << token << std::endl;  // before the note on stderr
  err << "token " << row.id << " '" << r.name << "' (" << r.role
      << (r.client.empty() ? "" : ", client " + r.client)
      << "): shown only now; send it as Authorization: Bearer <token>\n";
  return kOk;
}

int ListTokens(store::Database& db, std::ostream& out) {
  out << "id\tname\trole\tclient\tqueues\tcreated\tlast_used\trevoked\n";
  for (const auto& t : store::Tokens(db).List()) {
    out << t.id << "\t" << t.name << "\t" << t.role << "\t" << (t.client.empty() ? "-" : t.client)
        << "\t" << (t.queues.empty() ? "-" : t.queues) << "\t" << Time(t.created_us) << "\t"
        << Time(t.last_used_us) << "\t" << Time(t.revoked_us) << "\n";
  }
  return kOk;
}

int RevokeToken(store::Database& db, const std::string& name_or_id, std::ostream& out,
                std::ostream& err) {
  if (store::Tokens(db).Revoke(name_or_id, NowMicros()) == 0) {
    err << "cbit-web token revoke: no valid token named (or numbered) " << name_or_id << "\n";
    return kBad;
  }
  out << "revoked " << name_or_id << "\n";
  return kOk;
}

}  // namespace cbit::web
