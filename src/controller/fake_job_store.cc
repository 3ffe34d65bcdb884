#include "controller/fake_job_store.h"

#include <algorithm>
#include <stdexcept>

namespace cbit::controller {

/// One transaction's writes, on a copy of the data.
class FakeJobStore::Writes final : public JobWrites {
 public:
  Writes(FakeJobStore& store, Data& data, Transaction& record)
      : store_(store), d_(data), record_(record) {}

  store::SubmitState Lookup(std::span<const store::SubmitKey> targets) override {
    for (const auto& k : targets) record_.packages.push_back(k.name);
    for (const auto& k : targets)
      if (store_.refused_.count(k.name)) throw store::Conflict("refused package " + k.name);
    store::SubmitState out;
    for (const auto& k : targets) {
      out.package_ids.push_back(PackageId(k.name, k.version));
      Id inst = InstanceId(out.package_ids.back(), k);
      out.instances.emplace_back(inst, d_.instances[inst].master);
      out.active.push_back(Active(k));
      out.job_ids.push_back(d_.next_id++);
    }
    return out;
  }
  void CreateJobs(std::span<const store::NewJob> jobs, std::int64_t) override {
    for (const auto& j : jobs) {
      JobRow& row = d_.jobs[j.id];
      row.instance_id = j.instance_id;
      row.status = status::kWaiting;
      row.transport = *j.transport;
      row.history = 1;
    }
  }
  void SetStatuses(std::span<const Id> job_ids, Id status_id, std::int64_t,
                   std::span<const Id> unless) override {
    for (Id id : job_ids) {
      auto it = d_.jobs.find(id);
      if (it == d_.jobs.end()) continue;
      if (std::find(unless.begin(), unless.end(), store_.StatusId(it->second.status)) !=
          unless.end())
        continue;
      it->second.status = store_.StatusName(status_id);
      ++it->second.history;
    }
  }
  store::JobState LockJob(Id job_id) override {
    auto it = d_.jobs.find(job_id);
    if (it == d_.jobs.end()) throw store::NotFound("no job " + std::to_string(job_id));
    store::JobState s{it->second.status, std::nullopt};
    if (it->second.client) s.client = it->second.client->name;
    return s;
  }
  store::JobLease LockLease(Id job_id) override {
    store::JobState s = LockJob(job_id);
    const JobRow& j = d_.jobs.at(job_id);
    return {job_id, s.status, s.client, j.last_heard_us, j.attempts};
  }
  void ReportStatus(Id job_id, const std::string& status, const std::optional<std::string>& client,
                    std::int64_t now_us, const std::optional<std::string>& reason) override {
    auto it = d_.jobs.find(job_id);
    if (it == d_.jobs.end()) throw store::NotFound("no job " + std::to_string(job_id));
    store_.StatusId(status);  // NotFound for an unknown one
    JobRow& j = it->second;
    j.status = status;
    ++j.history;
    if (status == status::kBuilding) ++j.attempts;
    if (reason) j.reasons.push_back(*reason);
    if (client) j.client = cbit::Lookup{1000 + job_id, *client};
    if (client || status == status::kBuilding) j.last_heard_us = now_us;
  }
  void Renew(Id job_id, const std::string&, std::int64_t now_us) override {
    d_.jobs.at(job_id).last_heard_us = now_us;
  }
  void AddOutbox(std::span<const store::NewOutbox> rows, std::int64_t now_us) override {
    for (const auto& r : rows) d_.outbox[r.id] = {r.id, r.routing_key, r.queue, r.body, now_us};
  }

 private:
  Id PackageId(const std::string& name, const std::string& version) {
    for (const auto& [id, p] : d_.packages)
      if (p.name == name && p.version == version) return id;
    Id id = d_.next_id++;
    d_.packages[id] = {id, name, version};
    return id;
  }
  static bool SameTarget(const InstanceRow& i, const store::SubmitKey& k) {
    return i.dist_id == k.dist_id && i.suite_id == k.suite_id && i.arch_id == k.target.arch_id &&
           i.buildenv_id == k.target.buildenv_id;
  }
  Id InstanceId(Id package_id, const store::SubmitKey& k) {
    for (const auto& [id, i] : d_.instances)
      if (i.package_id == package_id && i.format_id == k.format_id && SameTarget(i, k)) return id;
    Id id = d_.next_id++;
    d_.instances[id] = {package_id,  k.target.arch_id,     k.suite_id,     k.dist_id,
                        k.format_id, k.target.buildenv_id, k.target.master};
    return id;
  }
  // Unfinished jobs of the same package name, any version, same target.
  std::vector<store::ActiveJob> Active(const store::SubmitKey& k) {
    std::vector<store::ActiveJob> out;
    for (const auto& [id, j] : d_.jobs) {
      const InstanceRow& i = d_.instances.at(j.instance_id);
      const Package& p = d_.packages.at(i.package_id);
      if (p.name != k.name || !SameTarget(i, k)) continue;
      if (j.status != status::kWaiting && j.status != status::kBlocked &&
          j.status != status::kBuilding)
        continue;
      out.push_back({id, j.instance_id, i.master, p.id, p.version, j.status, j.client});
    }
    return out;
  }

  FakeJobStore& store_;
  Data& d_;
  Transaction& record_;
};

FakeJobStore::FakeJobStore() {
  Id id = 1;
  for (const char* s : {status::kWaiting, status::kBlocked, status::kBuilding, status::kFailed,
                        status::kDone, status::kUploaded, status::kCancelled}) {
    catalog_.statuses.push_back({id++, s});
  }
  catalog_.dists = {{1, "Debian"}};
  catalog_.suites = {{1, "chickpea"}};
  catalog_.formats = {{1, "deb"}};
  catalog_.arches = {{1, "amd64"}, {2, "i386"}};
  catalog_.suitearches = {{1, {1, "chickpea"}, {1, "amd64"}, 10},
                          {2, {1, "chickpea"}, {2, "i386"}, 5}};
}

store::Catalog FakeJobStore::LoadCatalog() {
  std::lock_guard lock(mu_);
  return catalog_;
}

Id FakeJobStore::StatusId(const std::string& name) const {
  for (const auto& s : catalog_.statuses)
    if (s.name == name) return s.id;
  throw store::NotFound("unknown status '" + name + "'");
}

const std::string& FakeJobStore::StatusName(Id id) const {
  for (const auto& s : catalog_.statuses)
    if (s.id == id) return s.name;
  throw std::logic_error("no status " + std::to_string(id));
}

PackageInstance FakeJobStore::InstanceOf(const Data& d, Id id) const {
  auto it = d.instances.find(id);
  if (it == d.instances.end()) throw store::NotFound("no instance " + std::to_string(id));
  const InstanceRow& i = it->second;
  auto named = [](const std::vector<Lookup>& table, Id id) {
    for (const auto& l : table)
      if (l.id == id) return l;
    throw std::logic_error("no lookup " + std::to_string(id));
  };
  PackageInstance pi;
  pi.id = id;
  pi.package = d.packages.at(i.package_id);
  pi.arch = named(catalog_.arches, i.arch_id);
  if (i.buildenv_id) pi.build_env = named(catalog_.buildenvs, *i.buildenv_id);
  pi.suite = named(catalog_.suites, i.suite_id);
  pi.dist = named(catalog_.dists, i.dist_id);
  pi.format = named(catalog_.formats, i.format_id);
  pi.master = i.master;
  return pi;
}

Job FakeJobStore::JobOf(const Data& d, Id id) const {
  auto it = d.jobs.find(id);
  if (it == d.jobs.end()) throw store::NotFound("no job " + std::to_string(id));
  return {id, InstanceOf(d, it->second.instance_id), it->second.client, it->second.status};
}

Job FakeJobStore::GetJob(Id id) {
  std::lock_guard lock(mu_);
  return JobOf(data_, id);
}

PackageInstance FakeJobStore::GetInstance(Id id) {
  std::lock_guard lock(mu_);
  return InstanceOf(data_, id);
}

Package FakeJobStore::GetPackage(Id id) {
  std::lock_guard lock(mu_);
  auto it = data_.packages.find(id);
  if (it == data_.packages.end()) throw store::NotFound("no package " + std::to_string(id));
  return it->second;
}

std::vector<Job> FakeJobStore::ListJobs(const store::JobFilter& f) {
  std::lock_guard lock(mu_);
  std::vector<Job> out;
  for (const auto& [id, row] : data_.jobs) {
    Job j = JobOf(data_, id);
    if (!f.package.empty() && j.instance.package.name != f.package) continue;
    if (!f.version.empty() && j.instance.package.version != f.version) continue;
    if (!f.status.empty() && j.status != f.status) continue;
    if (f.unfinished && status::IsFinished(j.status)) continue;
    out.push_back(std::move(j));
  }
  return out;
}

std::vector<Id> FakeJobStore::LapsedLeases(std::int64_t heard_before_us, int limit) {
  std::lock_guard lock(mu_);
  std::vector<Id> out;
  for (const auto& [id, j] : data_.jobs)
    if (j.status == status::kBuilding && j.last_heard_us < heard_before_us &&
        static_cast<int>(out.size()) < limit)
      out.push_back(id);
  return out;
}

std::vector<std::string> FakeJobStore::Reasons(Id job_id) {
  std::lock_guard lock(mu_);
  return data_.jobs.at(job_id).reasons;
}

std::optional<Transport> FakeJobStore::BuildRequestOf(Id job_id) {
  std::lock_guard lock(mu_);
  auto it = data_.jobs.find(job_id);
  if (it == data_.jobs.end()) return std::nullopt;
  return it->second.transport;
}

void FakeJobStore::Write(const std::function<void(JobWrites&)>& fn) {
  std::function<void()> hook;
  {
    std::lock_guard lock(mu_);
    hook = on_write_;
  }
  if (hook) hook();
  std::lock_guard lock(mu_);
  Data copy = data_;
  Transaction record;
  Writes writes(*this, copy, record);
  try {
    fn(writes);
  } catch (...) {
    transactions_.push_back(std::move(record));
    throw;
  }
  data_ = std::move(copy);
  record.committed = true;
  transactions_.push_back(std::move(record));
}

std::vector<store::OutboxRow> FakeJobStore::PendingOutbox(std::int64_t created_before_us,
                                                          int limit) {
  std::lock_guard lock(mu_);
  std::vector<store::OutboxRow> out;
  for (const auto& [id, row] : data_.outbox) {
    if (static_cast<int>(out.size()) >= limit) break;
    if (row.created_us < created_before_us) out.push_back(row);
  }
  return out;
}

void FakeJobStore::DeleteOutbox(const std::vector<Id>& ids) {
  std::lock_guard lock(mu_);
  for (Id id : ids) data_.outbox.erase(id);
}

void FakeJobStore::RefusePackage(const std::string& name) {
  std::lock_guard lock(mu_);
  refused_.insert(name);
}

void FakeJobStore::OnWrite(std::function<void()> hook) {
  std::lock_guard lock(mu_);
  on_write_ = std::move(hook);
}

void FakeJobStore::SetStatus(Id job_id, const std::string& status,
                             const std::optional<std::string>& client) {
  std::lock_guard lock(mu_);
  JobRow& j = data_.jobs.at(job_id);
  j.status = status;
  if (client) j.client = Lookup{1000 + job_id, *client};
}

int FakeJobStore::HistoryLength(Id job_id) {
  std::lock_guard lock(mu_);
  return data_.jobs.at(job_id).history;
}

std::vector<FakeJobStore::Transaction> FakeJobStore::transactions() {
  std::lock_guard lock(mu_);
  return transactions_;
}

}  // namespace cbit::controller
