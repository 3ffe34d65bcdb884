// Forge pushes the controller accepted (202) and has not handled yet: stored
// before the answer goes out, so a push survives a controller that stops or
// dies, and taken by the webhook worker in order. A row goes once handled,
// or stays marked as given up (with its last error) after a bounded number
// of tries; the pending rows are capped, so a flood of pushes is refused
// instead of filling the disk.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/model.h"
#include "store/db.h"

namespace cbit::store {

struct PushRow {
  Id id = 0;
  std::string forge, clone_url, ref, before, after;
  int attempts = 0;  ///< tries begun, this one included
};

class WebhookPushes {
 public:
  /// Given-up rows kept for inspection (the newest); older ones are deleted.
  static constexpr int kKeepGivenUp = 100;

  explicit WebhookPushes(Database& db) : db_(db) {}

  /// Stores a push unless `max_pending` pushes wait already; its id, or
  /// nullopt when full. Committed when it returns.
  std::optional<Id> Add(const PushRow& push, int max_pending, std::int64_t now_us);
  /// Takes the oldest pending push that is due and not taken (or whose
  /// taker's claim ran out): it is claimed until `claim_until_us` and its
  /// attempts counted. nullopt when none.
  std::optional<PushRow> Claim(std::int64_t now_us, std::int64_t claim_until_us);
  /// The push was handled: its row goes.
  void Done(Id id);
  /// The try failed: retried from `retry_at_us`, or given up (kept, with
  /// `error`) once `max_attempts` tries have failed. True when given up.
  bool Failed(Id id, const std::string& error, int max_attempts, std::int64_t retry_at_us,
              std::int64_t now_us);
  /// At start-up: every pending push is due now and unclaimed. The claims
  /// of a controller that died would otherwise be freed only when they run
  /// out. (With several controllers on one database, a push another one is
  /// handling may then be handled twice; the second submission supersedes
  /// the first's jobs.)
  void Resume(std::int64_t now_us);
  /// Pushes not given up.
  std::int64_t Pending();

 private:
  Database& db_;
};

}  // namespace cbit::store
