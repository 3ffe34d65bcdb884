// cbit-client's job loop (docs/design.md, "The build client"): consume the
// build queues of its suites and its command queue, decide per request,
// build up to `jobs` at once, each in a worker thread (job_slots.h), while the
// main thread keeps the AMQP connection alive (heartbeats, consumer_timeout),
// settles each finished job's delivery and watches for CancelRequests, and
// reconnect with backoff when the broker goes away.
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <thread>

#include "client/client_metrics.h"
#include "client/config.h"
#include "client/controller_api.h"
#include "client/decide.h"
#include "client/job_run.h"
#include "client/job_slots.h"
#include "client/message_auth.h"
#include "client/runner.h"
#include "queue/consumer.h"
#include "queue/publisher.h"

namespace cbit::client {

/// Where a request or command that cannot be decoded goes (docs/protocol.md,
/// "Dead letters"), bound with its own name as routing key, with why and
/// where from in two string headers.
inline constexpr const char* kDeadLetterQueue = "cbit_dead_letter";
inline constexpr const char* kRejectedReasonHeader = "x-cbit-rejected-reason";
inline constexpr const char* kRejectedFromHeader = "x-cbit-rejected-from";

class Daemon {
 public:
  /// Opens one connection to the broker for consuming; throws BrokerError.
  using Connect = std::function<std::unique_ptr<queue::Consumer>()>;

  /// `publisher` sends requests again through the delay queues; `connect`
  /// is called for every connection (again after the broker went away).
  /// `stop_requested` is polled a few times a second; once it answers true
  /// the daemon stops taking work, hands the running jobs back and returns.
  /// `metrics` (optional) counts builds, slots and the broker connection.
  Daemon(const ClientConfig& config, ControllerApi& api, Runner& runner,
         queue::Publisher& publisher, Connect connect, std::function<bool()> stop_requested,
         ClientMetrics* metrics = nullptr);
  ~Daemon();

  /// Serves until stopped.
  void Run();

  /// The build queues this client consumes, e.g. "Debian_amd64_bookworm_deb",
  /// with their routing keys: per suite, host_arch's, then each of
  /// cross_arches'.
  std::vector<std::pair<std::string, std::string>> BuildQueues() const;
  /// Every queue it consumes: the build queues, then its command queue (as
  /// its heartbeat tells the controller).
  std::vector<std::string> ConsumedQueues() const;

 private:
  /// One connection's life: declare, consume, serve. Throws BrokerError.
  void Session();
  void StartBuildConsumers(queue::Consumer& c);
  /// With quorum queues, stops taking requests while a job builds.
  void PauseBuildConsumers(queue::Consumer& c);
  bool Quorum() const;
  void OnRequest(queue::Consumer& c, const queue::Delivery& d);
  /// The delivery's request; nullopt when it cannot be decoded, after it
  /// was dead-lettered (or dropped) and settled.
  std::optional<BuildRequest> Decode(queue::Consumer& c, const queue::Delivery& d);
  void OnCommand(const queue::Delivery& d);
  /// Finishes every job whose build has ended; throws the first BrokerError
  /// met while settling, after finishing the others without the broker.
  void FinishEnded(queue::Consumer* c);
  /// Logs a finished job's timings and settles its delivery on `c` when it
  /// came on that connection.
  void Finish(queue::Consumer* c, const JobSlots::Job& job);
  /// Acknowledges, republishes or requeues the finished job's delivery.
  void SettleDelivery(queue::Consumer& c, const JobSlots::Job& job);
  /// Starts building `request` (decided kBuild) in a free slot.
  void StartJob(BuildRequest request, const queue::Delivery& d, const RequestFacts& facts,
                std::chrono::steady_clock::time_point delivered);
  /// Publishes `d` again through the delay queue for `delay`; false if the
  /// broker did not take it.
  bool Republish(const queue::Delivery& d, std::chrono::seconds delay,
                 std::map<std::string, std::int64_t> headers);
  /// Republishes `d` for `delay`, then acknowledges it; hands it back to
  /// the broker (requeued) when the republish failed.
  void Postpone(queue::Consumer& c, const queue::Delivery& d, std::chrono::seconds delay,
                std::map<std::string, std::int64_t> headers);
  /// Publishes `d` to the dead-letter queue with `reason`; false if the
  /// broker did not take it.
  bool DeadLetter(const queue::Delivery& d, const std::string& reason);
  bool Stopping();
  /// Removes work directories no process holds (workdir.h).
  void SweepBuildroot();

  const ClientConfig& config_;
  ControllerApi& api_;
  Runner& runner_;
  queue::Publisher& publisher_;
  Connect connect_;
  std::function<bool()> stop_requested_;
  std::atomic<bool> stopping_{false};
  JobSlots slots_;      ///< declared after stopping_, which its jobs read
  int generation_ = 0;  ///< counts connections: a delivery tag is valid only on its own
  bool consuming_builds_ = false;
  MessageAuth auth_;                            ///< used from the consuming thread only
  std::unique_ptr<ClientMetrics> own_metrics_;  ///< when none was given
  ClientMetrics& metrics_;
};

}  // namespace cbit::client
