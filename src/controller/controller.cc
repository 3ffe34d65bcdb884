#include "controller/controller.h"

#include <spdlog/spdlog.h>

#include <tuple>

#include "controller/errors.h"
#include "controller/resolve.h"
#include "core/debian.h"
#include "core/wire.h"
#include "util/clock.h"

namespace cbit::controller {
namespace {

bool Cancellable(std::string_view status) {
  return status == status::kWaiting || status == status::kBlocked || status == status::kBuilding;
}

// The statuses from which the life cycle leads to no Cancelled: a job read
// as cancellable that reached one of them since is left alone.
std::vector<Id> NotCancellable(const store::Catalog& c) {
  std::vector<Id> out;
  for (const Lookup& s : c.statuses)
    if (!Allowed(s.name, status::kCancelled)) out.push_back(s.id);
  return out;
}

std::string Join(const std::vector<std::string>& v, const char* sep) {
  std::string out;
  for (const auto& s : v) {
    if (!out.empty()) out += sep;
    out += s;
  }
  return out;
}

}  // namespace

void ValidateTransport(const Transport& t, LocalUris local, std::vector<std::string>& problems) {
  if (auto problem = TransportProblem(t, local)) problems.push_back(*problem);
}

void ValidateSubmission(const Submission& s, LocalUris local) {
  std::vector<std::string> problems;
  auto check = [&](const char* field, const std::string& v, bool (*ok)(std::string_view)) {
    if (v.empty()) {
      problems.push_back(std::string(field) + " is missing");
    } else if (!ok(v)) {
      problems.push_back(std::string(field) + " '" + v + "' is malformed");
    }
  };
  check("package", s.package, debian::IsPackageName);
  check("package_version", s.version, debian::IsVersion);
  check("suite", s.suite, debian::IsToken);
  check("distribution", s.dist, debian::IsToken);
  check("format", s.format, debian::IsToken);
  if (s.arch_list.empty()) {
    problems.push_back("architecture_list is missing");
  } else {
    for (const auto& a : SplitArchList(s.arch_list))
      if (!debian::IsArch(a)) problems.push_back("architecture '" + a + "' is malformed");
  }
  if (s.build_env && !debian::IsToken(*s.build_env)) problems.push_back("build env is malformed");
  ValidateTransport(s.transport, local, problems);
  if (!problems.empty()) throw InvalidInput(Join(problems, "; "));
}

/// A submission resolved to instances, ready to record.
struct Controller::Plan {
  std::string name, version;
  Lookup dist, suite, format;
  struct Item {
    PackageInstance instance;  ///< its names; ids are got or created when recorded
    store::Target target;
  };
  std::vector<Item> items;
  Transport transport;
  Id cancelled_status = 0;
  std::vector<Id> not_cancellable;  ///< statuses a job is not cancelled from
};

/// One caller's plan, waiting for its batch, and what recording it gave.
struct Controller::Pending {
  const Plan* plan;
  Dispatch dispatch;
  std::vector<OutboxMessage> msgs;
  std::exception_ptr error;
};

namespace {

// Two submissions whose targets share a package name, dist, suite, arch and
// build env supersede one another: they are recorded one after the other.
bool SameTarget(const store::Target& a, const store::Target& b) {
  return a.arch_id == b.arch_id && a.buildenv_id == b.buildenv_id;
}

}  // namespace

Controller::Controller(JobStore& store, Outbox& outbox, Options opts)
    : store_(store),
      outbox_(outbox),
      opts_(std::move(opts)),
      catalog_([&store] { return store.LoadCatalog(); }, opts_.catalog_ttl),
      batcher_(
          // One batch at a time: every batch costs about the same whatever
          // its size, so a second one running beside the first would only
          // split what could have joined it. Where a transaction waits on a
          // server, a relay thread runs the waiting batches back to back, so
          // the server is not left idle while a caller wakes up to lead.
          {.max_batch = opts_.batch_size, .max_running = 1, .relay = store.WritesWaitOnServer()},
          [](const Pending& a, const Pending& b) {
            const Plan& x = *a.plan;
            const Plan& y = *b.plan;
            if (x.name != y.name || x.dist.id != y.dist.id || x.suite.id != y.suite.id) {
              return false;
            }
            for (const auto& i : x.items)
              for (const auto& j : y.items)
                if (SameTarget(i.target, j.target)) return true;
            return false;
          },
          [this](std::span<Pending* const> batch) { RunBatch(batch); }) {}

LocalUris Controller::LocalPolicy() const {
  return opts_.allow_local_uris ? LocalUris::kAllowed : LocalUris::kRefused;
}

std::int64_t Controller::Now() const { return opts_.clock ? opts_.clock() : NowMicros(); }

Dispatch Controller::Submit(const Submission& s) {
  ValidateSubmission(s, LocalPolicy());
  auto snap = catalog_.Get();
  auto find = [&](LookupKind kind, const std::string& name) {
    const Lookup* l = snap->catalog.Find(kind, name);
    if (!l) {
      // Maybe created a moment ago by another controller: look once more.
      catalog_.Invalidate();
      snap = catalog_.Get();
      l = snap->catalog.Find(kind, name);
    }
    return l;
  };
  Plan plan;
  std::vector<std::string> unknown;
  auto resolve = [&](LookupKind kind, const char* field, const std::string& name, Lookup& out) {
    if (const Lookup* l = find(kind, name)) {
      out = *l;
    } else {
      unknown.push_back(std::string(field) + " '" + name + "' is not known");
    }
  };
  resolve(LookupKind::kDist, "distribution", s.dist, plan.dist);
  resolve(LookupKind::kSuite, "suite", s.suite, plan.suite);
  resolve(LookupKind::kFormat, "format", s.format, plan.format);
  if (s.build_env && !find(LookupKind::kBuildEnv, *s.build_env))
    unknown.push_back("build env '" + *s.build_env + "' is not known");
  if (!unknown.empty()) throw InvalidInput(Join(unknown, "; "));

  if (auto rule = snap->blacklist.Match(s.package, s.transport.uri)) {
    throw Refused("refused by blacklist rule " + std::to_string(rule->id) + ": " + rule->field +
                  " matches '" + rule->regex + "'");
  }

  auto targets =
      ResolveTargets(snap->catalog, plan.suite.id, SplitArchList(s.arch_list), s.build_env);
  if (targets.empty()) {
    throw InvalidInput("suite '" + s.suite + "' builds none of the architectures '" + s.arch_list +
                       "'" +
                       (s.build_env ? " in build env '" + *s.build_env + "'" : std::string()));
  }
  plan.name = s.package;
  plan.version = s.version;
  plan.transport = s.transport;
  plan.cancelled_status = snap->catalog.Find(LookupKind::kStatus, status::kCancelled)->id;
  plan.not_cancellable = NotCancellable(snap->catalog);
  for (const auto& t : targets) {
    Plan::Item item;
    item.instance.package = {0, s.package, s.version};
    item.instance.arch = t.arch;
    item.instance.build_env = t.build_env;
    item.instance.suite = plan.suite;
    item.instance.dist = plan.dist;
    item.instance.format = plan.format;
    item.target = {t.arch.id, t.build_env ? std::optional<Id>(t.build_env->id) : std::nullopt,
                   t.master};
    plan.items.push_back(std::move(item));
  }
  return Execute(plan);
}

Dispatch Controller::SubmitForInstance(Id instance_id, const Transport& t) {
  std::vector<std::string> problems;
  ValidateTransport(t, LocalPolicy(), problems);
  if (!problems.empty()) throw InvalidInput(Join(problems, "; "));
  PackageInstance pi = store_.GetInstance(instance_id);
  auto snap = catalog_.Get();
  Plan plan;
  plan.name = pi.package.name;
  plan.version = pi.package.version;
  plan.dist = pi.dist;
  plan.suite = pi.suite;
  plan.format = pi.format;
  plan.transport = t;
  plan.cancelled_status = snap->catalog.Find(LookupKind::kStatus, status::kCancelled)->id;
  plan.not_cancellable = NotCancellable(snap->catalog);
  store::Target target{
      pi.arch.id, pi.build_env ? std::optional<Id>(pi.build_env->id) : std::nullopt, pi.master};
  plan.items.push_back({pi, target});
  return Execute(plan);
}

Dispatch Controller::Retry(Id job_id) {
  Job job = store_.GetJob(job_id);
  auto transport = store_.BuildRequestOf(job_id);
  if (!transport) throw InvalidInput("job " + std::to_string(job_id) + " has no build request");
  return SubmitForInstance(job.instance.id, *transport);
}

// Records a plan together with whatever other submissions arrive meanwhile
// (one transaction, a few statements for all: store::SubmitTx), then
// publishes what it recorded.
Dispatch Controller::Execute(const Plan& plan) {
  Pending p{&plan, {}, {}, nullptr};
  batcher_.Run(p);
  if (p.error) std::rethrow_exception(p.error);
  p.dispatch.dispatched = outbox_.Publish(p.msgs, opts_.wait_for_confirm);
  return p.dispatch;
}

void Controller::RunBatch(std::span<Pending* const> batch) {
  try {
    store_.Write([&](JobWrites& tx) { Record(tx, batch); });
    return;
  } catch (...) {
    if (batch.size() == 1) {
      batch[0]->error = std::current_exception();
      return;
    }
  }
  // The batch failed as a whole: each submission alone, so that only the
  // faulty one hears of its error.
  for (Pending* p : batch) {
    try {
      store_.Write([&](JobWrites& tx) { Record(tx, {&p, 1}); });
    } catch (...) {
      p->error = std::current_exception();
    }
  }
}

/// One target of one submission in a batch, as it is recorded.
struct Controller::Slot {
  Pending* owner;
  const Plan::Item* item;
  PackageInstance instance;  ///< with the ids the store found or made
  Id job_id = 0;             ///< reserved for the new job
};

/// What a batch's transaction writes besides the jobs themselves.
struct Controller::BatchWrites {
  std::vector<Id> cancelled;           ///< superseded jobs to mark Cancelled now
  std::vector<store::NewOutbox> rows;  ///< messages to record, in order
  std::vector<Pending*> row_owner;     ///< who publishes rows[k]

  void AddMessage(Pending* owner, store::NewOutbox row) {
    rows.push_back(std::move(row));
    row_owner.push_back(owner);
  }
  /// Once recorded, each message goes to the caller that publishes it.
  void HandOver() {
    for (std::size_t k = 0; k < rows.size(); ++k) {
      store::NewOutbox& r = rows[k];
      row_owner[k]->msgs.push_back(
          {r.id, {std::move(r.routing_key), std::move(r.queue), std::move(r.body)}});
    }
  }
};

// The steps below are templates only because Slot and Pending are the
// controller's private types.
namespace {

/// Every target of every plan of a batch, in order; the callers' earlier
/// results (from a failed batch) are cleared.
template <typename Slot, typename Pending>
std::vector<Slot> SlotsOf(std::span<Pending* const> batch) {
  std::vector<Slot> slots;
  for (Pending* p : batch) {
    p->dispatch = Dispatch{};
    p->msgs.clear();
    for (const auto& item : p->plan->items) slots.push_back({p, &item, item.instance, 0});
  }
  return slots;
}

template <typename Slot>
std::vector<store::SubmitKey> KeysOf(const std::vector<Slot>& slots) {
  std::vector<store::SubmitKey> keys;
  keys.reserve(slots.size());
  for (const Slot& s : slots) {
    const auto& plan = *s.owner->plan;
    keys.push_back(
        {plan.name, plan.version, plan.dist.id, plan.suite.id, plan.format.id, s.item->target});
  }
  return keys;
}

template <typename Slot>
std::vector<store::NewJob> NewJobsOf(const std::vector<Slot>& slots) {
  std::vector<store::NewJob> jobs;
  jobs.reserve(slots.size());
  for (const Slot& s : slots) {
    std::optional<std::string> env;
    if (s.instance.build_env) env = s.instance.build_env->name;
    jobs.push_back({s.job_id, s.instance.id, &s.owner->plan->transport, std::move(env)});
  }
  return jobs;
}

}  // namespace

// Steps 5-6 of a submission (docs/design.md) for a batch of plans with no
// target in common: get or create packages and instances, supersede the
// active jobs of each target, create the jobs, record their messages.
void Controller::Record(JobWrites& tx, std::span<Pending* const> batch) {
  std::vector<Slot> slots = SlotsOf<Slot>(batch);
  const std::int64_t now = Now();
  store::SubmitState state = tx.Lookup(KeysOf(slots));
  BatchWrites w;
  for (std::size_t k = 0; k < slots.size(); ++k) {
    Slot& s = slots[k];
    s.instance.package.id = state.package_ids[k];
    std::tie(s.instance.id, s.instance.master) = state.instances[k];
    s.job_id = state.job_ids[k];
    Supersede(s, state.active[k], w);
  }
  // Every plan names the same Cancelled status (from the catalog).
  const Plan& first = *batch.front()->plan;
  tx.SetStatuses(w.cancelled, first.cancelled_status, now, first.not_cancellable);
  tx.CreateJobs(NewJobsOf(slots), now);
  AddBuildRequests(slots, w);
  tx.AddOutbox(w.rows, now);
  w.HandOver();
}

// The active jobs of a target at an older or equal version give way to the
// new one; a newer one is kept. A Building job's client owns the running
// build: it is asked to stop, and reports Cancelled itself.
void Controller::Supersede(const Slot& s, const std::vector<store::ActiveJob>& active,
                           BatchWrites& w) const {
  const Plan& plan = *s.owner->plan;
  for (const auto& a : active) {
    if (debian::CompareVersions(a.version, plan.version) > 0) continue;
    if (a.status == status::kBuilding && a.buildclient) {
      Job old{a.job_id, s.instance, a.buildclient, a.status};
      old.instance.id = a.instance_id;
      old.instance.master = a.master;
      old.instance.package = {a.package_id, plan.name, a.version};
      w.AddMessage(s.owner, {store::NewOutboxId(), a.job_id, a.buildclient->name, "",
                             wire::Encode(CancelRequest{old, opts_.web_host})});
      s.owner->dispatch.cancel_requested.push_back(a.job_id);
    } else {
      w.cancelled.push_back(a.job_id);
      s.owner->dispatch.cancelled.push_back(a.job_id);
    }
  }
}

// One BuildRequest per new job, to its build queue.
void Controller::AddBuildRequests(const std::vector<Slot>& slots, BatchWrites& w) const {
  for (const Slot& s : slots) {
    BuildRequest br{Job{s.job_id, s.instance, std::nullopt, status::kWaiting},
                    s.owner->plan->transport,
                    opts_.web_host,
                    {}};
    w.AddMessage(s.owner, {store::NewOutboxId(), s.job_id, RoutingKey(s.instance),
                           QueueName(s.instance), wire::Encode(br)});
    s.owner->dispatch.jobs.push_back(s.job_id);
  }
}

Job Controller::Report(Id job_id, const StatusReport& report) {
  const std::int64_t now = Now();
  store_.Write([&](JobWrites& tx) {
    store::JobState found = tx.LockJob(job_id);
    Decision d = DecideReport(job_id, {found.status, found.client}, report);
    if (d.refused()) throw store::Conflict(d.reason);
    if (d.verdict == Verdict::kApply)
      tx.ReportStatus(job_id, report.status, report.reporter(), now, report.reason);
  });
  return store_.GetJob(job_id);
}

CancelOutcome Controller::Cancel(Id job_id) {
  Job job = store_.GetJob(job_id);
  if (!Cancellable(job.status)) return CancelOutcome::kAlreadyFinished;
  CancelJobs({job});
  bool remote = job.status == status::kBuilding && job.buildclient.has_value();
  return remote ? CancelOutcome::kRequested : CancelOutcome::kCancelled;
}

// One transaction for any number of jobs: a Building job with a client gets
// a CancelRequest (the client stops the build and reports Cancelled), the
// others are marked Cancelled at once.
void Controller::CancelJobs(const std::vector<Job>& jobs) {
  if (jobs.empty()) return;
  auto snap = catalog_.Get();
  Id cancelled = snap->catalog.Find(LookupKind::kStatus, status::kCancelled)->id;
  const std::vector<Id> not_cancellable = NotCancellable(snap->catalog);
  std::vector<store::NewOutbox> rows;
  std::vector<Id> now_cancelled;
  for (const auto& job : jobs) {
    if (job.status == status::kBuilding && job.buildclient) {
      rows.push_back({store::NewOutboxId(), job.id, job.buildclient->name, "",
                      wire::Encode(CancelRequest{job, opts_.web_host})});
    } else {
      now_cancelled.push_back(job.id);
    }
  }
  const std::int64_t now = Now();
  store_.Write([&](JobWrites& tx) {
    tx.SetStatuses(now_cancelled, cancelled, now, not_cancellable);
    tx.AddOutbox(rows, now);
  });
  PublishRecorded(rows, opts_.wait_for_confirm);
}

void Controller::PublishRecorded(std::vector<store::NewOutbox>& rows, bool wait_for_confirm) {
  std::vector<OutboxMessage> msgs;
  msgs.reserve(rows.size());
  for (auto& r : rows) {
    msgs.push_back({r.id, {std::move(r.routing_key), std::move(r.queue), std::move(r.body)}});
  }
  outbox_.Publish(msgs, wait_for_confirm);
}

int Controller::CancelWhere(const store::JobFilter& f, const std::optional<std::string>& version) {
  std::vector<Job> jobs;
  for (auto& j : store_.ListJobs(f)) {
    if (!Cancellable(j.status)) continue;
    if (version && j.instance.package.version != *version) continue;
    jobs.push_back(std::move(j));
  }
  CancelJobs(jobs);
  return static_cast<int>(jobs.size());
}

int Controller::CancelPackage(Id package_id) {
  Package p = store_.GetPackage(package_id);
  store::JobFilter f;
  f.package = p.name;
  f.unfinished = true;
  return CancelWhere(f, p.version);
}

int Controller::CancelAll() {
  store::JobFilter f;
  f.unfinished = true;
  return CancelWhere(f, std::nullopt);
}

}  // namespace cbit::controller
