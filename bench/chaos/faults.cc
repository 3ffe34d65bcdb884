#include "bench/chaos/faults.h"

#include <algorithm>
#include <exception>

namespace cbit::chaos {
namespace {

std::int64_t NowUs() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace

const char* NameOf(FaultKind kind) {
  switch (kind) {
    case FaultKind::kController:
      return "controller";
    case FaultKind::kBroker:
      return "rabbitmq";
    case FaultKind::kDatabase:
      return "postgresql";
    case FaultKind::kClient:
      return "client";
    case FaultKind::kWatcher:
      return "watcher";
    case FaultKind::kFrozenClient:
      return "client-stopped";
  }
  return "?";
}

Injector::Injector(Farm& farm, FaultOptions options)
    : farm_(farm), options_(std::move(options)), rng_(options_.seed) {
  next_ = After(Uniform(options_.min_gap_seconds, options_.max_gap_seconds));
}

double Injector::Uniform(double lo, double hi) {
  return std::uniform_real_distribution<double>(lo, hi)(rng_);
}

Injector::Clock::time_point Injector::After(double seconds) const {
  return Clock::now() +
         std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(seconds));
}

void Injector::Tick() {
  if (stopped_ || options_.kinds.empty() || Clock::now() < next_) return;
  try {
    if (current_) {
      Restore();
    } else {
      Strike();
    }
  } catch (const std::exception& e) {
    error_ =
        std::string(NameOf(current_ ? current_->kind : FaultKind::kController)) + ": " + e.what();
    stopped_ = true;
  }
}

void Injector::Stop() {
  if (current_ && !stopped_) {
    try {
      Restore();
    } catch (const std::exception& e) {
      error_ = std::string(NameOf(current_->kind)) + ": " + e.what();
    }
  }
  stopped_ = true;
}

void Injector::Strike() {
  // Every kind once per round, in a random order: equal counts, random times.
  if (bag_.empty()) {
    bag_ = options_.kinds;
    std::shuffle(bag_.begin(), bag_.end(), rng_);
  }
  const FaultKind kind = bag_.back();
  bag_.pop_back();
  client_ = std::uniform_int_distribution<int>(0, farm_.options().clients - 1)(rng_);
  // Drawn only for a cluster (several controllers), so a seed's schedule on
  // one node (one controller) stays as it was.
  if (farm_.options().broker_nodes > 1)
    node_ = std::uniform_int_distribution<int>(0, farm_.options().broker_nodes - 1)(rng_);
  if (farm_.options().controllers > 1)
    controller_ = std::uniform_int_distribution<int>(0, farm_.options().controllers - 1)(rng_);
  current_ = Fault{kind, NowUs()};
  double down = Uniform(0.1, options_.max_down_seconds);
  switch (kind) {
    case FaultKind::kController:
      farm_.KillController(controller_);
      break;
    case FaultKind::kBroker:
      farm_.KillBroker(node_);
      break;
    case FaultKind::kDatabase:
      farm_.KillDatabase();
      break;
    case FaultKind::kClient:
      farm_.KillClient(client_);
      break;
    case FaultKind::kWatcher:
      farm_.KillWatcher();
      break;
    case FaultKind::kFrozenClient:
      farm_.FreezeClient(client_);
      // Longer than the lease, so the controller gives its job to another.
      down = farm_.options().lease_seconds + Uniform(1, 4);
      break;
  }
  next_ = After(down);
}

void Injector::Restore() {
  switch (current_->kind) {
    case FaultKind::kController:
      farm_.StartController(controller_);
      break;
    case FaultKind::kBroker:
      farm_.StartBroker(node_);
      break;
    case FaultKind::kDatabase:
      farm_.StartDatabase();
      break;
    case FaultKind::kClient:
      farm_.StartClient(client_);
      break;
    case FaultKind::kWatcher:
      farm_.StartWatcher();
      break;
    case FaultKind::kFrozenClient:
      farm_.ThawClient(client_);
      break;
  }
  current_->end_us = NowUs();
  faults_.push_back(*current_);
  current_.reset();
  next_ = After(Uniform(options_.min_gap_seconds, options_.max_gap_seconds));
}

}  // namespace cbit::chaos
