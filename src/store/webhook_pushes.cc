#include "store/webhook_pushes.h"

namespace cbit::store {
namespace {

constexpr std::string_view kInsert =
    "INSERT INTO webhook_push (forge, clone_url, ref, before_rev, after_rev, received, next_try)"
    " SELECT $1, $2, $3, $4, $5, $6, $6"
    " WHERE (SELECT count(*) FROM webhook_push WHERE gave_up IS NULL) < $7 RETURNING id";

// The claim re-checks the row's claim in the UPDATE itself: two controllers
// that picked the same row cannot both take it (the second update finds it
// claimed and changes nothing).
constexpr std::string_view kClaim =
    "UPDATE webhook_push SET claimed_until = $2, attempts = attempts + 1"
    " WHERE id = (SELECT id FROM webhook_push WHERE gave_up IS NULL AND next_try <= $1"
    "   AND (claimed_until IS NULL OR claimed_until < $1) ORDER BY id LIMIT 1)"
    " AND (claimed_until IS NULL OR claimed_until < $1)"
    " RETURNING id, forge, clone_url, ref, before_rev, after_rev, attempts";

constexpr std::string_view kFailed =
    "UPDATE webhook_push SET claimed_until = NULL, next_try = $3, last_error = $2,"
    " gave_up = CASE WHEN attempts >= $4 THEN CAST($5 AS BIGINT) ELSE NULL END"
    " WHERE id = $1 RETURNING gave_up";

constexpr std::string_view kTrimGivenUp =
    "DELETE FROM webhook_push WHERE gave_up IS NOT NULL AND id NOT IN"
    " (SELECT id FROM webhook_push WHERE gave_up IS NOT NULL ORDER BY id DESC LIMIT $1)";

}  // namespace

std::optional<Id> WebhookPushes::Add(const PushRow& p, int max_pending, std::int64_t now_us) {
  return InTransaction(db_, true, [&](Connection& c) -> std::optional<Id> {
    Result r = c.Exec(kInsert, {p.forge, p.clone_url, p.ref, p.before, p.after, now_us,
                                std::int64_t{max_pending}});
    if (r.empty()) return std::nullopt;
    return r.i64(0, 0);
  });
}

std::optional<PushRow> WebhookPushes::Claim(std::int64_t now_us, std::int64_t claim_until_us) {
  return InTransaction(db_, true, [&](Connection& c) -> std::optional<PushRow> {
    Result r = c.Exec(kClaim, {now_us, claim_until_us});
    if (r.empty()) return std::nullopt;
    return PushRow{r.i64(0, 0),
                   r.text(0, 1),
                   r.text(0, 2),
                   r.text(0, 3),
                   r.text(0, 4),
                   r.text(0, 5),
                   static_cast<int>(r.i64(0, 6))};
  });
}

void WebhookPushes::Done(Id id) {
  InTransaction(db_, true,
                [&](Connection& c) { c.Exec("DELETE FROM webhook_push WHERE id = $1", {id}); });
}

bool WebhookPushes::Failed(Id id, const std::string& error, int max_attempts,
                           std::int64_t retry_at_us, std::int64_t now_us) {
  return InTransaction(db_, true, [&](Connection& c) {
    Result r = c.Exec(kFailed,
                      {id, error.substr(0, 4096), retry_at_us, std::int64_t{max_attempts}, now_us});
    bool gave_up = !r.empty() && !r.null(0, 0);
    if (gave_up) c.Exec(kTrimGivenUp, {std::int64_t{kKeepGivenUp}});
    return gave_up;
  });
}

void WebhookPushes::Resume(std::int64_t now_us) {
  InTransaction(db_, true, [&](Connection& c) {
    c.Exec("UPDATE webhook_push SET claimed_until = NULL, next_try = $1 WHERE gave_up IS NULL",
           {now_us});
  });
}

std::int64_t WebhookPushes::Pending() {
  return InTransaction(db_, false, [&](Connection& c) {
    return c.Exec("SELECT count(*) FROM webhook_push WHERE gave_up IS NULL").i64(0, 0);
  });
}

}  // namespace cbit::store
