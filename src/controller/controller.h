// The job logic of docs/design.md ("Submission"): submissions, superseding, cancel and retry.
// It drives the store (through job_store.h) in one write transaction per
// action and hands the messages it recorded to the outbox (outbox.h) once
// committed.
#pragma once

#include <functional>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "controller/catalog_cache.h"
#include "controller/job_store.h"
#include "controller/outbox.h"
#include "controller/transitions.h"
#include "core/transport_check.h"
#include "store/store.h"
#include "util/coalescer.h"

namespace cbit::controller {

/// POST /job/vcshook, field by field.
struct Submission {
  std::string package, version, suite, dist, arch_list, format;
  Transport transport;
  std::optional<std::string> build_env;  ///< keep only this build env (retry)
};

/// What a submission or retry created.
struct Dispatch {
  std::vector<Id> jobs;
  std::vector<Id> cancelled;         ///< superseded jobs marked Cancelled
  std::vector<Id> cancel_requested;  ///< superseded Building jobs told to stop
  /// The messages were handed to the broker (confirmed too, when waiting
  /// for confirms); false: recorded, the relay publishes them when the
  /// broker is back.
  bool dispatched = true;
};

/// What a cancel did to one job.
enum class CancelOutcome { kCancelled, kRequested, kAlreadyFinished };

class Controller {
 public:
  struct Options {
    std::string web_host;  ///< "host:port" sent in every message
    std::chrono::milliseconds catalog_ttl{1000};
    std::function<std::int64_t()> clock;  ///< µs since the epoch; default: system clock
    /// Answer a submission only once the broker confirmed its messages,
    /// instead of once they are committed and sent (the outbox keeps them
    /// until confirmed either way).
    bool wait_for_confirm = false;
    /// Submissions recorded in one transaction at most (concurrent ones
    /// share it: util/coalescer.h).
    std::size_t batch_size = 32;
    /// Accept local paths and file: URIs as sources (a farm on one machine,
    /// tests); elsewhere a client would read its own machine's files.
    bool allow_local_uris = false;
    /// How long a Building job's holder may stay silent, and how many
    /// attempts a job gets (controller.lease_seconds, controller.max_attempts).
    LeasePolicy lease;
  };
  Controller(JobStore& store, Outbox& outbox, Options opts);

  /// Validates, resolves targets and records one job per target.
  Dispatch Submit(const Submission& s);
  /// A new job for an existing package instance (POST /job).
  Dispatch SubmitForInstance(Id instance_id, const Transport& t);
  /// A new job for the same instance, with the transport stored for `job_id`.
  Dispatch Retry(Id job_id);

  /// A status report (PUT /job/<id>), decided by the life cycle
  /// (transitions.h) on the job as its row lock finds it, in the transaction
  /// that records it. Answers the job as it is now. Throws store::NotFound
  /// for an unknown job, store::Conflict naming the current and the refused
  /// status, or the client that holds the job.
  Job Report(Id job_id, const StatusReport& report);

  /// The holder renews its lease on a Building job (PUT /job/<id>/lease),
  /// decided under the job's row lock; answers the lease as it is now.
  /// store::Conflict when `client` does not hold the job Building (naming
  /// the holder, or saying that its lease was lost).
  store::JobLease RenewLease(Id job_id, const std::string& client);
  /// Moves every Building job whose holder was not heard from for longer
  /// than the lease: back to Waiting as a new attempt, its build request
  /// recorded in the outbox and published again, or to Failed once it had
  /// `max_attempts` attempts; the reason goes into its history. Each job is
  /// decided under its row lock (transitions.h: DecideExpiry). Returns the
  /// jobs moved.
  int ExpireLeases();
  const LeasePolicy& lease_policy() const { return opts_.lease; }

  CancelOutcome Cancel(Id job_id);
  /// Cancels every unfinished job of a package (all versions of that row).
  int CancelPackage(Id package_id);
  int CancelAll();

  /// Lookup tables changed: the next submission reloads them.
  void CatalogChanged() { catalog_.Invalidate(); }

  /// Submissions waiting for a batch to take them (tests, metrics).
  std::size_t queued() { return batcher_.waiting(); }

 private:
  struct Plan;
  struct Pending;
  struct Slot;
  struct BatchWrites;
  Dispatch Execute(const Plan& plan);
  void RunBatch(std::span<Pending* const> batch);
  void Record(JobWrites& tx, std::span<Pending* const> batch);
  void Supersede(const Slot& slot, const std::vector<store::ActiveJob>& active,
                 BatchWrites& w) const;
  void AddBuildRequests(const std::vector<Slot>& slots, BatchWrites& w) const;
  void CancelJobs(const std::vector<Job>& jobs);
  bool ExpireLease(Id job_id, std::int64_t now);
  /// Hands rows the transaction just wrote to the outbox relay.
  void PublishRecorded(std::vector<store::NewOutbox>& rows, bool wait_for_confirm);
  int CancelWhere(const store::JobFilter& f, const std::optional<std::string>& version);
  std::int64_t Now() const;
  LocalUris LocalPolicy() const;

  JobStore& store_;
  Outbox& outbox_;
  Options opts_;
  CatalogCache catalog_;
  Coalescer<Pending> batcher_;
};

/// Checks the fields of a submission; throws InvalidInput naming every
/// missing or malformed one.
void ValidateSubmission(const Submission& s, LocalUris local);
/// Checks a transport (method, uri, vcs_id) as a client would
/// (core/transport_check.h), adding what is wrong to `problems`.
void ValidateTransport(const Transport& t, LocalUris local, std::vector<std::string>& problems);

}  // namespace cbit::controller
