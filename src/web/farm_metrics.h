// The controller's figures for GET /metrics (docs/protocol.md, "Metrics"):
// counted as requests happen (HTTP answers, submissions, jobs moving) and
// read from the store and the broker at scrape time. The store's figures
// and queue depths are kept for `cache` so that frequent scrapes, or several
// Prometheus servers, cost one set of queries per period.
#pragma once

#include <chrono>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "controller/controller.h"
#include "httpd/message.h"
#include "metrics/registry.h"
#include "queue/publisher.h"
#include "store/store.h"

namespace cbit::web {

struct MetricsOptions {
  std::chrono::milliseconds cache{5000};
  /// Queues whose depth a scrape asks the broker for, at most.
  std::size_t max_queues = 256;
};

class FarmMetrics {
 public:
  FarmMetrics(store::Store& store, queue::Publisher& publisher, MetricsOptions opts = {});

  /// For httpd::Options::observe: one answer, by route pattern (not path).
  void ObserveHttp(const httpd::Request& req, int status, std::chrono::steady_clock::duration d);
  /// A submission (POST /job/vcshook, POST /job, a retry) was recorded.
  void Submitted(const controller::Dispatch& d);
  /// A status report moved a job from `before` to `after`; the dispatch
  /// latency (Waiting → Building) and build duration (Building → any) are
  /// read from its history. Never throws.
  void Moved(Id job_id, const std::string& before, const std::string& after);

  /// The exposition text (Prometheus text format 0.0.4).
  std::string Render();

 private:
  /// What the store and the broker said at one time.
  struct Snapshot {
    bool store_up = false, broker_up = false;
    std::vector<store::JobCount> jobs;
    std::int64_t outbox = 0;
    std::vector<store::ClientHeard> clients;
    std::vector<std::pair<std::string, std::uint32_t>> queues;
    std::chrono::steady_clock::time_point taken;
  };
  Snapshot Take();
  const Snapshot& Current();
  void WriteStore(metrics::Writer& w);
  void WritePool(metrics::Writer& w) const;

  store::Store& store_;
  queue::Publisher& publisher_;
  MetricsOptions opts_;
  metrics::Registry registry_;
  metrics::Family<metrics::Counter>& http_requests_;
  metrics::Family<metrics::Histogram>& http_seconds_;
  metrics::Family<metrics::Counter>& submissions_;
  metrics::Family<metrics::Counter>& jobs_submitted_;
  metrics::Family<metrics::Counter>& jobs_superseded_;
  metrics::Family<metrics::Histogram>& dispatch_seconds_;
  metrics::Family<metrics::Histogram>& build_seconds_;
  std::mutex snapshot_mu_;  ///< held while a snapshot is taken: one scrape queries at a time
  std::optional<Snapshot> snapshot_;
  double started_ = 0;  ///< process start, seconds since the epoch
};

}  // namespace cbit::web
