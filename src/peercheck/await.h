// Start-up checks of the peers a daemon's config names (database, broker,
// controller): a bounded wait for a peer that does not answer, and a
// refusal at once of one that answers no (a wrong password or token), each
// with a message naming the peer and the config setting to look at.
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <string>
#include <vector>

namespace cbit::peercheck {

/// What one try of a peer found.
enum class State {
  kReady,        ///< it answered and took the credentials
  kUnreachable,  ///< no answer (refused connection, timeout, a 5xx): may pass
  kRefused,      ///< it answered no (credentials, role, unknown database)
};

struct Answer {
  State state = State::kReady;
  std::string detail;  ///< what the peer or the library said
};

/// A peer as the messages name it: `what` ("RabbitMQ at amqp://host:5672")
/// and the config `setting` that points at it ("host, port").
struct Peer {
  std::string what;
  std::string setting;
  std::function<Answer()> probe;
};

struct WaitPolicy {
  std::chrono::milliseconds wait{60000};  ///< how long an unreachable peer is waited for
  std::chrono::milliseconds interval{1000};
  std::string wait_setting;                 ///< the key that sets `wait`, for the message
  const std::atomic<bool>* stop = nullptr;  ///< a stop signal ends the wait
  std::function<void(std::chrono::milliseconds)> sleep;  ///< default: this thread sleeps
};

/// Tries the peer until it is ready: true then; false when `stop` was set
/// meanwhile. Throws ConfigError at once when it refuses, StartupError when
/// it was still unreachable after policy.wait (logging each minute waited).
bool Await(const Peer& peer, const WaitPolicy& policy);

/// Await for each peer in turn, all of them within one policy.wait.
bool AwaitAll(const std::vector<Peer>& peers, const WaitPolicy& policy);

/// One try of the peer: logs a warning when it is unreachable, throws
/// ConfigError when it refuses; whether it was ready.
bool CheckOnce(const Peer& peer);

}  // namespace cbit::peercheck
