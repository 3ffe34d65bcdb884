// The job logic's store (job_store.h) over the real store::Store.
#pragma once

#include "controller/job_store.h"
#include "store/store.h"

namespace cbit::controller {

class StoreJobStore final : public JobStore, public OutboxStore {
 public:
  explicit StoreJobStore(store::Store& store) : store_(store) {}

  store::Catalog LoadCatalog() override { return store_.LoadCatalog(); }
  Job GetJob(Id id) override { return store_.GetJob(id); }
  PackageInstance GetInstance(Id id) override { return store_.GetInstance(id); }
  Package GetPackage(Id id) override { return store_.GetPackage(id); }
  std::vector<Job> ListJobs(const store::JobFilter& f) override { return store_.ListJobs(f, {}); }
  std::optional<Transport> BuildRequestOf(Id job_id) override {
    return store_.BuildRequestOf(job_id, nullptr);
  }
  std::vector<Id> LapsedLeases(std::int64_t heard_before_us, int limit) override {
    return store_.LapsedLeases(heard_before_us, limit);
  }
  void Write(const std::function<void(JobWrites&)>& fn) override;
  bool WritesWaitOnServer() override;

  std::vector<store::OutboxRow> PendingOutbox(std::int64_t created_before_us, int limit) override {
    return store_.PendingOutbox(created_before_us, limit);
  }
  void DeleteOutbox(const std::vector<Id>& ids) override { store_.DeleteOutbox(ids); }

 private:
  store::Store& store_;
};

}  // namespace cbit::controller
