#include "peercheck/await.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <thread>

#include "util/json_config.h"
#include "util/process.h"

namespace cbit::peercheck {
namespace {

using Clock = std::chrono::steady_clock;

std::string Refusal(const Peer& peer, const Answer& a) {
  return peer.setting + ": " + peer.what + " refused: " + a.detail;
}

}  // namespace

bool CheckOnce(const Peer& peer) {
  const Answer a = peer.probe();
  if (a.state == State::kRefused) throw ConfigError(Refusal(peer, a));
  if (a.state == State::kUnreachable)
    spdlog::warn("{}: {} unreachable: {}", peer.setting, peer.what, a.detail);
  return a.state == State::kReady;
}

namespace {

// Tries `peer` until it is ready, counting into `waited` the time spent
// (shared by the peers of one start, so that together they keep within
// policy.wait).
bool AwaitOne(const Peer& peer, const WaitPolicy& policy, std::chrono::milliseconds& waited) {
  auto sleep = policy.sleep ? policy.sleep
                            : [](std::chrono::milliseconds d) { std::this_thread::sleep_for(d); };
  std::chrono::milliseconds next_note = waited;
  bool missed = false;
  for (;;) {
    if (policy.stop && policy.stop->load()) return false;
    const auto tried = Clock::now();
    const Answer a = peer.probe();
    // A probe can take its whole timeout (a peer that drops packets).
    waited += std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - tried);
    if (a.state == State::kReady) {
      if (missed) spdlog::info("{} answers", peer.what);
      return true;
    }
    if (a.state == State::kRefused) throw ConfigError(Refusal(peer, a));
    if (waited >= policy.wait) {
      throw process::StartupError(peer.setting + ": " + peer.what + " unreachable for " +
                                  std::to_string(waited.count() / 1000) + " s (" +
                                  policy.wait_setting + "): " + a.detail);
    }
    if (waited >= next_note) {
      spdlog::warn("{}: {} unreachable, waiting up to {} s ({}): {}", peer.setting, peer.what,
                   policy.wait.count() / 1000, policy.wait_setting, a.detail);
      next_note = waited + std::chrono::minutes(1);
    }
    missed = true;
    const auto step =
        std::clamp(policy.wait - waited, std::chrono::milliseconds(1), policy.interval);
    sleep(step);
    waited += step;
  }
}

}  // namespace

bool Await(const Peer& peer, const WaitPolicy& policy) { return AwaitAll({peer}, policy); }

bool AwaitAll(const std::vector<Peer>& peers, const WaitPolicy& policy) {
  std::chrono::milliseconds waited{0};
  for (const Peer& peer : peers)
    if (!AwaitOne(peer, policy, waited)) return false;
  return true;
}

}  // namespace cbit::peercheck
