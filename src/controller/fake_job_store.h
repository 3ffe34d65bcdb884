// A JobStore for unit tests of the job logic: every row in memory, each
// transaction on a copy that is kept only when it commits. It can be told
// to refuse a package (any transaction that looks it up throws, as a row
// the database refuses would) and to run a hook as each transaction
// starts (to hold one open while others queue).
#pragma once

#include <functional>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "controller/job_store.h"

namespace cbit::controller {

class FakeJobStore final : public JobStore, public OutboxStore {
 public:
  /// Seeds the statuses, dist "Debian", suite "chickpea", format "deb" and
  /// the suite's arches amd64 (master) and i386.
  FakeJobStore();

  // JobStore.
  store::Catalog LoadCatalog() override;
  Job GetJob(Id id) override;
  PackageInstance GetInstance(Id id) override;
  Package GetPackage(Id id) override;
  /// Filters by package, version, status and unfinished only.
  std::vector<Job> ListJobs(const store::JobFilter& f) override;
  std::optional<Transport> BuildRequestOf(Id job_id) override;
  std::vector<Id> LapsedLeases(std::int64_t heard_before_us, int limit) override;
  void Write(const std::function<void(JobWrites&)>& fn) override;
  bool WritesWaitOnServer() override { return false; }

  // OutboxStore.
  std::vector<store::OutboxRow> PendingOutbox(std::int64_t created_before_us, int limit) override;
  void DeleteOutbox(const std::vector<Id>& ids) override;

  // For tests.
  /// Any transaction that looks up a package of this name throws.
  void RefusePackage(const std::string& name);
  /// Runs at the start of every transaction, outside the store's lock.
  void OnWrite(std::function<void()> hook);
  /// Sets a job's status (and client) as a client's report would.
  void SetStatus(Id job_id, const std::string& status,
                 const std::optional<std::string>& client = std::nullopt);
  /// The reasons recorded with a job's history rows, in order.
  std::vector<std::string> Reasons(Id job_id);
  /// Statuses recorded in a job's history (its creation's included).
  int HistoryLength(Id job_id);
  /// The package names each transaction looked up, in order, with whether
  /// it committed.
  struct Transaction {
    std::vector<std::string> packages;
    bool committed = false;
  };
  std::vector<Transaction> transactions();

 private:
  struct JobRow {
    Id instance_id = 0;
    std::string status;
    std::optional<Lookup> client;
    Transport transport;
    int history = 0;  ///< statuses recorded
    std::int64_t last_heard_us = 0;
    int attempts = 0;  ///< Building statuses recorded
    std::vector<std::string> reasons;
  };
  struct InstanceRow {
    Id package_id = 0, arch_id = 0, suite_id = 0, dist_id = 0, format_id = 0;
    std::optional<Id> buildenv_id;
    bool master = false;
  };
  /// Everything a transaction may change.
  struct Data {
    std::map<Id, Package> packages;
    std::map<Id, InstanceRow> instances;
    std::map<Id, JobRow> jobs;
    std::map<Id, store::OutboxRow> outbox;
    Id next_id = 1;  ///< for packages, instances and jobs alike
  };
  class Writes;

  const std::string& StatusName(Id id) const;
  Id StatusId(const std::string& name) const;  // store::NotFound
  PackageInstance InstanceOf(const Data& d, Id id) const;
  Job JobOf(const Data& d, Id id) const;

  std::mutex mu_;
  store::Catalog catalog_;
  Data data_;
  std::set<std::string> refused_;
  std::function<void()> on_write_;
  std::vector<Transaction> transactions_;
};

}  // namespace cbit::controller
