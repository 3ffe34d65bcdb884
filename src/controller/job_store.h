// What the job logic needs from the store, and no more: the seam that lets
// the controller and the outbox run against a fake in unit tests
// (fake_job_store.h). StoreJobStore (store_job_store.h) is the real one,
// over store::Store; the store knows nothing of this interface.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <vector>

#include "core/model.h"
#include "store/store.h"

namespace cbit::controller {

/// The writes of one transaction of the job logic (store::SubmitTx).
class JobWrites {
 public:
  virtual ~JobWrites() = default;
  /// Gets or creates the packages and instances of `targets`, finds their
  /// jobs to supersede and reserves an id for each new job.
  virtual store::SubmitState Lookup(std::span<const store::SubmitKey> targets) = 0;
  /// Creates jobs in Waiting with their build requests.
  virtual void CreateJobs(std::span<const store::NewJob> jobs, std::int64_t now_us) = 0;
  /// Sets the status of many jobs; those that no longer exist, or whose
  /// status is now one of `unless`, are skipped.
  virtual void SetStatuses(std::span<const Id> job_ids, Id status_id, std::int64_t now_us,
                           std::span<const Id> unless) = 0;
  /// Locks a job's row until the transaction ends and reads its status and
  /// build client (store::NotFound when it does not exist): what a status
  /// report is decided on.
  virtual store::JobState LockJob(Id job_id) = 0;
  /// LockJob, reading the job's lease (store::JobLease).
  virtual store::JobLease LockLease(Id job_id) = 0;
  /// Appends `status` to a job's history and makes it current; `client`,
  /// when given, becomes its build client (heard from now); `reason`, when
  /// given, is recorded with the history row.
  virtual void ReportStatus(Id job_id, const std::string& status,
                            const std::optional<std::string>& client, std::int64_t now_us,
                            const std::optional<std::string>& reason) = 0;
  /// The holder renewed its lease on a locked job.
  virtual void Renew(Id job_id, const std::string& client, std::int64_t now_us) = 0;
  /// Records messages to publish once the transaction commits.
  virtual void AddOutbox(std::span<const store::NewOutbox> rows, std::int64_t now_us) = 0;
};

/// The outbox's rows: read the unconfirmed, delete the confirmed.
class OutboxStore {
 public:
  virtual ~OutboxStore() = default;
  virtual std::vector<store::OutboxRow> PendingOutbox(std::int64_t created_before_us,
                                                      int limit) = 0;
  virtual void DeleteOutbox(const std::vector<Id>& ids) = 0;
};

/// Reads and transactions of submissions, cancels and retries.
class JobStore {
 public:
  virtual ~JobStore() = default;

  virtual store::Catalog LoadCatalog() = 0;
  virtual Job GetJob(Id id) = 0;                   // store::NotFound
  virtual PackageInstance GetInstance(Id id) = 0;  // store::NotFound
  virtual Package GetPackage(Id id) = 0;           // store::NotFound
  virtual std::vector<Job> ListJobs(const store::JobFilter& f) = 0;
  /// The transport recorded with a job's build request, if any.
  virtual std::optional<Transport> BuildRequestOf(Id job_id) = 0;
  /// Building jobs last heard from before `heard_before_us` (store::Store::LapsedLeases).
  virtual std::vector<Id> LapsedLeases(std::int64_t heard_before_us, int limit) = 0;

  /// Runs `fn` in one write transaction: committed when `fn` returns,
  /// rolled back (and the exception passed on) when it throws.
  virtual void Write(const std::function<void(JobWrites&)>& fn) = 0;

  /// True when a transaction mostly waits for a database server, so that
  /// batches are best run back to back by a thread of their own
  /// (util/coalescer.h, `relay`); false when it runs in this process.
  virtual bool WritesWaitOnServer() = 0;
};

}  // namespace cbit::controller
