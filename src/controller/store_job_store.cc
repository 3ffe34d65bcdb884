#include "controller/store_job_store.h"

namespace cbit::controller {
namespace {

class SubmitTxWrites final : public JobWrites {
 public:
  explicit SubmitTxWrites(store::SubmitTx& tx) : tx_(tx) {}
  store::SubmitState Lookup(std::span<const store::SubmitKey> targets) override {
    return tx_.Lookup(targets);
  }
  void CreateJobs(std::span<const store::NewJob> jobs, std::int64_t now_us) override {
    tx_.CreateJobs(jobs, now_us);
  }
  void SetStatuses(std::span<const Id> job_ids, Id status_id, std::int64_t now_us,
                   std::span<const Id> unless) override {
    tx_.SetStatuses(job_ids, status_id, now_us, unless);
  }
  store::JobState LockJob(Id job_id) override { return tx_.LockJob(job_id); }
  store::JobLease LockLease(Id job_id) override { return tx_.LockLease(job_id); }
  void ReportStatus(Id job_id, const std::string& status, const std::optional<std::string>& client,
                    std::int64_t now_us, const std::optional<std::string>& reason) override {
    tx_.ReportStatus(job_id, status, client, now_us, reason);
  }
  void Renew(Id job_id, const std::string& client, std::int64_t now_us) override {
    tx_.Renew(job_id, client, now_us);
  }
  void AddOutbox(std::span<const store::NewOutbox> rows, std::int64_t now_us) override {
    tx_.AddOutbox(rows, now_us);
  }

 private:
  store::SubmitTx& tx_;
};

}  // namespace

void StoreJobStore::Write(const std::function<void(JobWrites&)>& fn) {
  store_.Write([&](store::Connection& c) {
    store::SubmitTx tx(store_, c);
    SubmitTxWrites writes(tx);
    fn(writes);
  });
}

// SQLite runs its transactions in this process; PostgreSQL's wait for the
// server.
bool StoreJobStore::WritesWaitOnServer() { return store_.db().capabilities().server_round_trips; }

}  // namespace cbit::controller
