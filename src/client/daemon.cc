#include "client/daemon.h"

#include <spdlog/spdlog.h>

#include <thread>

#include "client/decide.h"
#include "client/workdir.h"
#include "core/wire.h"
#include "journal/fields.h"
#include "util/periodic.h"

namespace cbit::client {
using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

namespace {

// How long the main thread waits for a delivery before it looks at the
// workers and the stop flag again; also the cancel latency. While builds
// run the wait is short: a finished build's slot is taken again only once
// its delivery is acknowledged (prefetch = jobs), so a build noticed 200 ms
// late held the next job back 200 ms. rabbitmq-c cannot be woken from
// another thread; 200 empty waits a second during a build cost no
// measurable CPU.
constexpr milliseconds kTick{200};
constexpr milliseconds kBuildingTick{5};
constexpr milliseconds kFirstBackoff{500};
constexpr milliseconds kMaxBackoff{30000};

std::int64_t Header(const queue::Delivery& d, const char* name) {
  auto it = d.headers.find(name);
  return it == d.headers.end() ? 0 : it->second;
}

}  // namespace

Daemon::Daemon(const ClientConfig& config, ControllerApi& api, Runner& runner,
               queue::Publisher& publisher, Connect connect, std::function<bool()> stop_requested,
               ClientMetrics* metrics)
    : config_(config),
      api_(api),
      runner_(runner),
      publisher_(publisher),
      connect_(std::move(connect)),
      stop_requested_(std::move(stop_requested)),
      slots_(config.jobs, [this] { return stopping_.load(); }),
      auth_(api, config.require_signed_messages),
      own_metrics_(metrics ? nullptr : std::make_unique<ClientMetrics>()),
      metrics_(metrics ? *metrics : *own_metrics_) {
  metrics_.Slots(0, config.jobs);
}

Daemon::~Daemon() = default;

std::vector<std::pair<std::string, std::string>> Daemon::BuildQueues() const {
  std::vector<std::pair<std::string, std::string>> out;
  std::vector<std::string> arches = {config_.host_arch};
  arches.insert(arches.end(), config_.build.cross_arches.begin(), config_.build.cross_arches.end());
  for (const auto& suite : config_.suites) {
    for (const auto& arch : arches) {
      PackageInstance pi;
      pi.dist.name = config_.distribution;
      pi.arch.name = arch;
      pi.suite.name = suite;
      pi.format.name = config_.pkg_format;
      out.emplace_back(QueueName(pi), RoutingKey(pi));
    }
  }
  return out;
}

std::vector<std::string> Daemon::ConsumedQueues() const {
  std::vector<std::string> out;
  for (const auto& [queue, key] : BuildQueues()) out.push_back(queue);
  out.push_back(config_.clientid);
  return out;
}

bool Daemon::Stopping() {
  if (!stopping_ && stop_requested_()) {
    spdlog::info("stopping: no new work; running jobs are interrupted and handed back");
    stopping_ = true;
  }
  return stopping_;
}

// Work directories no process holds were left by a client that died; the
// jobs this client builds hold theirs (a lock per directory, workdir.h).
void Daemon::SweepBuildroot() {
  for (const auto& dir : SweepWorkdirs(config_.buildroot)) {
    spdlog::info("removed the stale work directory {}", dir);
  }
}

void Daemon::Run() {
  SweepBuildroot();
  // The controller's view of this client (GET /buildd/<name>/status): alive
  // while heard from, idle or not.
  Periodic heartbeat(config_.heartbeat, [this] {
    try {
      api_.Heartbeat(config_.clientid, ConsumedQueues());
    } catch (const ApiError& e) {
      spdlog::warn("heartbeat: {}", e.what());
    }
  });
  auto backoff = kFirstBackoff;
  while (!Stopping()) {
    const int sessions = generation_;
    try {
      Session();
      backoff = kFirstBackoff;
    } catch (const queue::BrokerError& e) {
      // A session that got connected ends with a new outage: it starts from
      // the first delay, not from where the last outage's delays had grown.
      if (generation_ != sessions) backoff = kFirstBackoff;
      metrics_.BrokerConnected(false);
      // The builds go on without the broker; their deliveries are the
      // broker's again (another client may get them, see decide.cc), so they
      // are not ours to settle any more.
      spdlog::warn("broker: {}; reconnecting in {} ms", e.what(), backoff.count());
      for (auto until = Clock::now() + backoff; Clock::now() < until && !Stopping();) {
        FinishEnded(nullptr);
        std::this_thread::sleep_for(kTick);
      }
      backoff = std::min(backoff * 2, kMaxBackoff);
    }
  }
  for (const JobSlots::Job& job : slots_.JoinAll()) Finish(nullptr, job);
  metrics_.BrokerConnected(false);
}

// One consumer for every queue, so that a channel-wide prefetch of `jobs`
// means that many builds at once whatever queues they come from. The command
// queue is consumed without acknowledgements: a CancelRequest must get
// through while the builds' deliveries hold every unacknowledged slot.
void Daemon::Session() {
  std::unique_ptr<queue::Consumer> consumer = connect_();
  queue::Consumer& c = *consumer;
  ++generation_;
  consuming_builds_ = false;
  for (const auto& [queue, key] : BuildQueues()) {
    c.DeclareAndBind(queue, key);
    for (auto delay : RetryDelays(config_.retry_base, config_.retry_max)) {
      c.DeclareDelayQueue(DelayQueueName(delay, queue), delay, key);
    }
  }
  c.DeclareAndBind(config_.clientid, config_.clientid);
  c.ConsumeAutoAck(config_.clientid);
  // While a job from an earlier connection still builds, its request may be
  // offered again: build queues wait until those are finished.
  if (slots_.Empty()) StartBuildConsumers(c);
  spdlog::info("connected to {}; serving {} suite(s) as {} ({} queues, {} build(s) at once)",
               c.Address(), config_.suites.size(), config_.clientid,
               queue::QueueTypeName(config_.amqp.queue_type), config_.jobs);
  metrics_.BrokerConnected(true);
  for (;;) {
    if (Stopping() && consuming_builds_) {
      c.Cancel();
      consuming_builds_ = false;
    }
    if (Stopping() && slots_.Empty()) return;
    if (auto d = c.Next(slots_.Empty() ? kTick : kBuildingTick)) {
      if (d->queue == config_.clientid) {
        OnCommand(*d);
      } else {
        OnRequest(c, *d);
      }
    }
    FinishEnded(&c);
    if (!Stopping() && !consuming_builds_ && !slots_.AnyBefore(generation_) &&
        !(Quorum() && slots_.Full())) {
      StartBuildConsumers(c);
    }
  }
}

// Quorum queues refuse a channel-wide prefetch: there each consumer has its
// own, and the build consumers are cancelled while every slot builds
// (PauseBuildConsumers), so that it is `jobs` builds at a time all the same.
void Daemon::StartBuildConsumers(queue::Consumer& c) {
  const auto scope = Quorum() ? queue::PrefetchScope::kPerConsumer : queue::PrefetchScope::kChannel;
  for (const auto& [queue, key] : BuildQueues()) c.Consume(queue, config_.jobs, scope);
  consuming_builds_ = true;
}

// Requests delivered before the cancel took effect are handed back
// (OnRequest: a job is running).
void Daemon::PauseBuildConsumers(queue::Consumer& c) {
  if (!Quorum() || !consuming_builds_) return;
  consuming_builds_ = false;
  c.Cancel();
}

bool Daemon::Quorum() const { return config_.amqp.queue_type == queue::QueueType::kQuorum; }

std::optional<BuildRequest> Daemon::Decode(queue::Consumer& c, const queue::Delivery& d) {
  // Nothing of a message is read before it is known to be the controller's.
  MessageAuth::Outcome auth = auth_.Check(d);
  if (auth.verdict == MessageAuth::Verdict::kRetryLater) {
    spdlog::warn("{}: {}; trying again later", d.queue, auth.reason);
    Postpone(c, d, config_.retry_base, d.headers);
    return std::nullopt;
  }
  if (auth.verdict == MessageAuth::Verdict::kReject) {
    if (DeadLetter(d, auth.reason)) {
      c.Ack(d.delivery_tag);
    } else {
      c.Reject(d.delivery_tag, /*requeue=*/false);
    }
    return std::nullopt;
  }
  try {
    return wire::DecodeBuildRequest(d.body);
  } catch (const wire::DecodeError& e) {
    // Never requeued: it would come back to every client, forever.
    if (DeadLetter(d, e.what())) {
      c.Ack(d.delivery_tag);
    } else {
      spdlog::error("{}: malformed build request dropped", d.queue);
      c.Reject(d.delivery_tag, /*requeue=*/false);
    }
    return std::nullopt;
  }
}

void Daemon::OnRequest(queue::Consumer& c, const queue::Delivery& d) {
  auto delivered = Clock::now();
  auto decoded = Decode(c, d);
  if (!decoded) return;
  BuildRequest request = std::move(*decoded);
  const Id id = request.job.id;
  if (Stopping() || slots_.Full()) {
    c.Reject(d.delivery_tag, /*requeue=*/true);
    return;
  }

  RequestFacts facts;
  facts.redelivered = d.redelivered;
  facts.deferrals = static_cast<int>(Header(d, kDeferredHeader));
  try {
    facts.state = api_.CurrentStatus(id);
  } catch (const ApiError& e) {
    spdlog::warn("job {}: cannot ask the controller ({}); trying again later", id, e.what());
    Postpone(c, d, config_.retry_base, d.headers);
    return;
  }
  if (facts.state && facts.state->status == status::kBuilding && facts.state->buildclient &&
      *facts.state->buildclient != config_.clientid) {
    facts.builder_alive = c.ConsumerCount(*facts.state->buildclient).value_or(0) > 0;
  }
  switch (Decide(facts, config_.clientid)) {
    case Action::kDrop:
      spdlog::info("job {}: {}; dropped", id,
                   facts.state ? "status " + facts.state->status : "unknown to the controller");
      c.Ack(d.delivery_tag);
      return;
    case Action::kDefer: {
      spdlog::info("job {}: Building on {}; looking again in {} s", id,
                   facts.state->buildclient.value_or("?"), config_.retry_base.count());
      auto headers = d.headers;
      headers[kDeferredHeader] = facts.deferrals + 1;
      Postpone(c, d, config_.retry_base, headers);
      return;
    }
    case Action::kBuild:
      // A job this client builds in another slot (its request published
      // again: a lease that ran out, a deferral) waits until that build has
      // ended: two builds of one job would report over each other.
      if (slots_.Holds(id)) {
        spdlog::info("job {}: already building here; looking again in {} s", id,
                     config_.retry_base.count());
        Postpone(c, d, config_.retry_base, d.headers);
        return;
      }
      StartJob(std::move(request), d, facts, delivered);
      if (slots_.Full()) PauseBuildConsumers(c);
      return;
  }
}

void Daemon::StartJob(BuildRequest request, const queue::Delivery& d, const RequestFacts& facts,
                      Clock::time_point delivered) {
  spdlog::info("job {}: building {} {} ({}; {} of {} slots busy)", request.job.id,
               request.job.instance.package.name, request.job.instance.package.version, d.queue,
               slots_.size() + 1, config_.jobs);
  JobSlots::Job job{std::move(request), d, generation_, std::nullopt, {}};
  if (facts.state && facts.state->status == status::kBuilding) {
    job.takeover_from = facts.state->buildclient;
  }
  slots_.Start(std::move(job), [this, delivered](const JobSlots::Job& j, const JobSignals& s) {
    journal::ScopedFields fields;  // the job's lines in the journal carry JOB_ID
    fields.Job(j.request.job.id);
    JobEnvironment env{config_, api_, runner_, {}, j.takeover_from};
    env.infra_retries_done = static_cast<int>(Header(j.delivery, kInfraRetryHeader));
    return RunJob(j.request, env, s, delivered);
  });
  metrics_.BuildStarted();
  metrics_.Slots(slots_.size(), config_.jobs);
}

void Daemon::OnCommand(const queue::Delivery& d) {
  // A command that cannot be checked now is not acted on: a cancel is
  // also enforced by the controller (the job's next report is refused).
  if (MessageAuth::Outcome auth = auth_.Check(d); auth.verdict != MessageAuth::Verdict::kAccept) {
    DeadLetter(d, auth.reason);  // consumed without acknowledgement: already ours
    return;
  }
  CancelRequest cancel;
  try {
    cancel = wire::DecodeCancelRequest(d.body);
  } catch (const wire::DecodeError& e) {
    DeadLetter(d, e.what());  // consumed without acknowledgement: already ours
    return;
  }
  if (slots_.Cancel(cancel.job.id)) {
    spdlog::info("job {}: cancel requested; interrupting the build", cancel.job.id);
  } else {
    spdlog::info("job {}: cancel requested, but it is not building here; ignored", cancel.job.id);
  }
}

// Each ended job is taken out of its slot first: settling can throw (a
// broker error), and a job still held would be finished a second time.
void Daemon::FinishEnded(queue::Consumer* c) {
  std::optional<queue::BrokerError> lost;
  for (const JobSlots::Job& job : slots_.TakeFinished()) {
    try {
      Finish(lost ? nullptr : c, job);
    } catch (const queue::BrokerError& e) {
      lost = e;
    }
  }
  if (lost) throw *lost;
}

void Daemon::Finish(queue::Consumer* c, const JobSlots::Job& job) {
  journal::ScopedFields fields;
  fields.Job(job.request.job.id);
  const JobReport& rep = job.report;
  spdlog::info(
      "job {}: {}{}; delivery→Building {} ms, total {} ms, in build tools {} ms, client overhead "
      "{} ms",
      job.request.job.id, OutcomeName(rep.outcome),
      rep.detail.empty() ? "" : " (" + rep.detail + ")", rep.to_building.count(), rep.total.count(),
      rep.in_tools.count(), (rep.total - rep.in_tools).count());
  metrics_.BuildFinished(rep);
  metrics_.Slots(slots_.size(), config_.jobs);
  SweepBuildroot();
  // A delivery can be settled only on the connection it came on.
  if (c && c->IsOpen() && job.generation == generation_) SettleDelivery(*c, job);
}

void Daemon::SettleDelivery(queue::Consumer& c, const JobSlots::Job& job) {
  const JobReport& rep = job.report;
  const queue::Delivery& d = job.delivery;
  const Id id = job.request.job.id;
  auto headers = d.headers;
  switch (rep.settle) {
    case Settle::kAck:
      c.Ack(d.delivery_tag);
      break;
    case Settle::kRetryLater: {
      int attempt = static_cast<int>(Header(d, kAttemptHeader)) + 1;
      headers[kAttemptHeader] = attempt;
      headers.erase(kDeferredHeader);
      auto delay = RetryDelay(attempt, config_.retry_base, config_.retry_max);
      spdlog::info("job {}: dependency wait {}; trying again in {} s", id, attempt, delay.count());
      Postpone(c, d, delay, headers);
      break;
    }
    case Settle::kRetryInfra: {
      int retry = static_cast<int>(Header(d, kInfraRetryHeader)) + 1;
      headers[kInfraRetryHeader] = retry;
      headers.erase(kDeferredHeader);
      spdlog::info("job {}: {} failure, retry {}; trying again in {} s", id,
                   FailureClassName(rep.failure), retry, rep.retry_delay.count());
      Postpone(c, d, rep.retry_delay, headers);
      break;
    }
    case Settle::kDefer:
      Postpone(c, d, config_.retry_base, headers);
      break;
    case Settle::kRequeue:
      c.Reject(d.delivery_tag, /*requeue=*/true);
      break;
  }
}

// A delivery left unsettled would hold one of the channel's unacknowledged
// slots (prefetch = jobs) until the connection dropped.
void Daemon::Postpone(queue::Consumer& c, const queue::Delivery& d, std::chrono::seconds delay,
                      std::map<std::string, std::int64_t> headers) {
  if (Republish(d, delay, std::move(headers))) {
    c.Ack(d.delivery_tag);
  } else {
    c.Reject(d.delivery_tag, /*requeue=*/true);
  }
}

bool Daemon::DeadLetter(const queue::Delivery& d, const std::string& reason) {
  spdlog::error("{}: malformed message dead-lettered to {}: {}", d.queue, kDeadLetterQueue, reason);
  queue::Message m;
  m.routing_key = kDeadLetterQueue;
  m.queue = kDeadLetterQueue;
  m.body = d.body;
  m.headers = d.headers;
  m.text_headers = {{kRejectedReasonHeader, reason}, {kRejectedFromHeader, d.queue}};
  try {
    publisher_.Publish(m);
    return true;
  } catch (const queue::BrokerError& e) {
    spdlog::error("cannot publish to {}: {}", kDeadLetterQueue, e.what());
    return false;
  }
}

bool Daemon::Republish(const queue::Delivery& d, std::chrono::seconds delay,
                       std::map<std::string, std::int64_t> headers) {
  queue::Message m;
  m.routing_key = DelayQueueName(delay, d.queue);
  m.body = d.body;
  m.headers = std::move(headers);
  // The controller's signature travels with the body it signs.
  if (auto sig = d.text_headers.find(queue::kSignatureHeader); sig != d.text_headers.end())
    m.text_headers[queue::kSignatureHeader] = sig->second;
  try {
    publisher_.Publish(m);
    return true;
  } catch (const queue::BrokerError& e) {
    spdlog::error("cannot publish to {}: {}", m.routing_key, e.what());
    return false;
  }
}

}  // namespace cbit::client
