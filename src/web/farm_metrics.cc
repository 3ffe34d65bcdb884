#include "web/farm_metrics.h"

#include <spdlog/spdlog.h>

#include <set>

#include "core/model.h"

namespace cbit::web {
namespace {

using metrics::Labels;

constexpr std::size_t kMaxClients = 1000;

double SecondsSinceEpoch() {
  return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

// Methods the router knows; anything else is one label, so that a client
// sending made-up methods cannot add series.
std::string MethodLabel(const std::string& m) {
  static const std::set<std::string> kKnown = {"GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS"};
  return kKnown.contains(m) ? m : "other";
}

// The queue a target's build requests wait in (core/model.h: QueueName).
std::string QueueOf(const store::JobCount& c) {
  PackageInstance pi;
  pi.dist.name = c.dist;
  pi.arch.name = c.arch;
  pi.suite.name = c.suite;
  pi.format.name = c.format;
  return QueueName(pi);
}

}  // namespace

FarmMetrics::FarmMetrics(store::Store& store, queue::Publisher& publisher, MetricsOptions opts)
    : store_(store),
      publisher_(publisher),
      opts_(opts),
      http_requests_(registry_.AddCounter("cbit_http_requests_total",
                                          "HTTP answers by method, route pattern and status.",
                                          {"method", "route", "status"})),
      http_seconds_(registry_.AddHistogram(
          "cbit_http_request_duration_seconds",
          "From a request's first byte to its answer's head, by method and route pattern.",
          {"method", "route"}, metrics::DurationBounds())),
      submissions_(registry_.AddCounter("cbit_submissions_total",
                                        "Submissions recorded (vcshook, POST /job, retry), by "
                                        "whether their build requests reached the broker at once.",
                                        {"dispatched"})),
      jobs_submitted_(registry_.AddCounter("cbit_jobs_submitted_total", "Jobs created.")),
      jobs_superseded_(registry_.AddCounter(
          "cbit_jobs_superseded_total", "Jobs cancelled (or told to stop) by a newer version.")),
      dispatch_seconds_(registry_.AddHistogram(
          "cbit_dispatch_latency_seconds",
          "From a job entering Waiting to a build client reporting it Building.", {},
          metrics::DurationBounds())),
      build_seconds_(registry_.AddHistogram(
          "cbit_build_duration_seconds",
          "From Building to the status that ended the build, by that status.", {"status"},
          metrics::DurationBounds(), 64)),
      started_(SecondsSinceEpoch()) {
  registry_.AddCollector([this](metrics::Writer& w) { WriteStore(w); });
  registry_.AddCollector([this](metrics::Writer& w) { WritePool(w); });
}

void FarmMetrics::ObserveHttp(const httpd::Request& req, int status,
                              std::chrono::steady_clock::duration d) {
  const std::string method = MethodLabel(req.method);
  const std::string route = req.route.empty() ? "none" : req.route;
  http_requests_.With({method, route, std::to_string(status)}).Inc();
  http_seconds_.With({method, route}).Observe(std::chrono::duration<double>(d).count());
}

void FarmMetrics::Submitted(const controller::Dispatch& d) {
  submissions_.With({d.dispatched ? "true" : "false"}).Inc();
  jobs_submitted_.With({}).Inc(static_cast<double>(d.jobs.size()));
  jobs_superseded_.With({}).Inc(
      static_cast<double>(d.cancelled.size() + d.cancel_requested.size()));
}

void FarmMetrics::Moved(Id job_id, const std::string& before, const std::string& after) {
  const bool dispatched = before == status::kWaiting && after == status::kBuilding;
  if (!dispatched && before != status::kBuilding) return;
  try {
    auto history = store_.JobHistoryOf(job_id);
    // The last row is the report just recorded, the one before it the move
    // into `before`.
    if (history.size() < 2 || history.back().status != after ||
        history[history.size() - 2].status != before)
      return;
    const double seconds =
        static_cast<double>(history.back().time_us - history[history.size() - 2].time_us) / 1e6;
    if (dispatched) {
      dispatch_seconds_.With({}).Observe(seconds);
    } else {
      build_seconds_.With({after}).Observe(seconds);
    }
  } catch (const std::exception& e) {
    spdlog::warn("metrics: history of job {}: {}", job_id, e.what());
  }
}

std::string FarmMetrics::Render() { return registry_.Render(); }

FarmMetrics::Snapshot FarmMetrics::Take() {
  Snapshot s;
  s.taken = std::chrono::steady_clock::now();
  try {
    s.jobs = store_.JobCounts();
    s.outbox = store_.OutboxBacklog();
    s.clients = store_.ClientsHeard();
    s.store_up = true;
  } catch (const std::exception& e) {
    spdlog::warn("metrics: the store's figures: {}", e.what());
  }
  std::set<std::string> queues;
  for (const auto& c : s.jobs)
    if (queues.size() < opts_.max_queues) queues.insert(QueueOf(c));
  try {
    publisher_.Ping();
    for (const auto& q : queues)
      if (auto depth = publisher_.QueueDepth(q)) s.queues.emplace_back(q, *depth);
    s.broker_up = true;
  } catch (const std::exception& e) {
    spdlog::warn("metrics: the broker's queue depths: {}", e.what());
  }
  return s;
}

const FarmMetrics::Snapshot& FarmMetrics::Current() {
  const auto now = std::chrono::steady_clock::now();
  if (!snapshot_ || now - snapshot_->taken >= opts_.cache) snapshot_ = Take();
  return *snapshot_;
}

void FarmMetrics::WriteStore(metrics::Writer& w) {
  std::lock_guard lock(snapshot_mu_);
  const Snapshot& s = Current();
  w.Begin("cbit_store_up", "1 when the store answered the last figures' queries.", "gauge");
  w.Sample("cbit_store_up", {}, s.store_up ? 1 : 0);
  w.Begin("cbit_broker_up", "1 when the broker answered the last queue depth queries.", "gauge");
  w.Sample("cbit_broker_up", {}, s.broker_up ? 1 : 0);
  w.Begin("cbit_jobs", "Jobs by current status and target.", "gauge");
  for (const auto& c : s.jobs) {
    w.Sample("cbit_jobs",
             {{"status", c.status.empty() ? "none" : c.status},
              {"dist", c.dist},
              {"arch", c.arch},
              {"suite", c.suite},
              {"format", c.format}},
             static_cast<double>(c.jobs));
  }
  w.Begin("cbit_queue_messages", "Build requests ready in each queue of a target with jobs.",
          "gauge");
  for (const auto& [q, depth] : s.queues) w.Sample("cbit_queue_messages", {{"queue", q}}, depth);
  w.Begin("cbit_outbox_backlog", "Messages recorded but not yet confirmed by the broker.", "gauge");
  if (s.store_up) w.Sample("cbit_outbox_backlog", {}, static_cast<double>(s.outbox));
  w.Begin("cbit_client_last_seen_timestamp_seconds",
          "When each build client was last heard from (seconds since the epoch).", "gauge");
  std::size_t n = 0;
  for (const auto& c : s.clients) {
    if (!c.last_heard_us || ++n > kMaxClients) continue;
    w.Sample("cbit_client_last_seen_timestamp_seconds", {{"client", c.name}},
             static_cast<double>(*c.last_heard_us) / 1e6);
  }
  w.Begin("cbit_metrics_snapshot_age_seconds",
          "Age of the store's and broker's figures above (they are cached).", "gauge");
  w.Sample("cbit_metrics_snapshot_age_seconds", {},
           std::chrono::duration<double>(std::chrono::steady_clock::now() - s.taken).count());
}

void FarmMetrics::WritePool(metrics::Writer& w) const {
  const store::PoolStats p = store_.db().pool_stats();
  auto one = [&w](const char* name, const char* help, const char* type, double v) {
    w.Begin(name, help, type);
    w.Sample(name, {}, v);
  };
  one("cbit_db_pool_acquired_total", "Database connections leased from the pool.", "counter",
      static_cast<double>(p.acquired));
  one("cbit_db_pool_waits_total", "Leases that found no free connection at first.", "counter",
      static_cast<double>(p.waited));
  one("cbit_db_pool_wait_seconds_total", "Time spent waiting for a free connection.", "counter",
      p.wait_seconds);
  one("cbit_db_pool_timeouts_total", "Leases that found no free connection in time (503).",
      "counter", static_cast<double>(p.timeouts));
  one("cbit_db_pool_connections", "Database connections open now.", "gauge", p.open);
  one("cbit_db_pool_size", "Database connections the pool may open.", "gauge", p.size);
  one("cbit_process_start_time_seconds", "When cbit-web started (seconds since the epoch).",
      "gauge", started_);
}

}  // namespace cbit::web
