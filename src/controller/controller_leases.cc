// Leases (docs/design.md, "Job life cycle"): renewals by the holding client,
// and the expiry of a silent holder's job, each decided by the transitions
// table under the job's row lock.
#include <spdlog/spdlog.h>

#include "controller/controller.h"
#include "controller/transitions.h"
#include "core/model.h"
#include "core/wire.h"

namespace cbit::controller {

store::JobLease Controller::RenewLease(Id job_id, const std::string& client) {
  const std::int64_t now = Now();
  store::JobLease out;
  store_.Write([&](JobWrites& tx) {
    store::JobLease found = tx.LockLease(job_id);
    Decision d = DecideRenewal(job_id, {found.status, found.client}, client);
    if (d.refused()) throw store::Conflict(d.reason);
    tx.Renew(job_id, client, now);
    found.last_heard_us = now;
    out = std::move(found);
  });
  return out;
}

int Controller::ExpireLeases() {
  // Few at a time: a controller that was stopped longer than the lease
  // finds every Building job lapsed, and the next round takes the rest.
  constexpr int kBatch = 100;
  const std::int64_t now = Now();
  int moved = 0;
  for (Id id : store_.LapsedLeases(now - opts_.lease.lease_us, kBatch)) {
    try {
      if (ExpireLease(id, now)) ++moved;
    } catch (const store::NotFound&) {
      // deleted since it was listed
    }
  }
  return moved;
}

// One job whose lease looked lapsed, decided again under its row lock: its
// holder may have been heard from, or another controller may have moved it.
bool Controller::ExpireLease(Id job_id, std::int64_t now) {
  // A job's instance and transport never change: read before the lock.
  const Job job = store_.GetJob(job_id);
  const std::optional<Transport> transport = store_.BuildRequestOf(job_id);
  std::vector<store::NewOutbox> rows;
  ExpiryDecision d;
  store_.Write([&](JobWrites& tx) {
    rows.clear();
    store::JobLease l = tx.LockLease(job_id);
    d = DecideExpiry({l.status, l.client, l.last_heard_us, l.attempts}, now, opts_.lease);
    if (!d.to) return;
    if (*d.to == status::kWaiting && !transport) {
      d.to = status::kFailed;
      d.reason += "; it has no build request to publish again";
    }
    tx.ReportStatus(job_id, *d.to, std::nullopt, now, d.reason);
    if (*d.to != status::kWaiting) return;
    BuildRequest br{
        Job{job_id, job.instance, std::nullopt, status::kWaiting}, *transport, opts_.web_host, {}};
    rows.push_back({store::NewOutboxId(), job_id, RoutingKey(job.instance), QueueName(job.instance),
                    wire::Encode(br)});
    tx.AddOutbox(rows, now);
  });
  if (!d.to) return false;
  spdlog::warn("job {}: {} → {}", job_id, d.reason, *d.to);
  PublishRecorded(rows, false);
  return true;
}

}  // namespace cbit::controller
