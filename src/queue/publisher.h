// Publishing to RabbitMQ (docs/protocol.md, "AMQP"): the seam between the job logic and the
// broker. AmqpPublisher is the real one; FakePublisher (fake_publisher.h)
// records messages for tests.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace cbit::queue {

/// One broker (a node of a cluster, or the only one).
struct BrokerAddress {
  std::string host;
  int port = 5672;
  bool operator==(const BrokerAddress&) const = default;
};

/// What kind of queue every queue cbit declares is (x-queue-type): classic
/// (one node's) or quorum (replicated on a cluster's nodes, Raft).
enum class QueueType { kClassic, kQuorum };

/// "classic" or "quorum".
const char* QueueTypeName(QueueType t);
/// The type named by "classic" or "quorum"; nullopt for anything else.
std::optional<QueueType> ParseQueueType(const std::string& name);
/// "host" or "host:port" (entries without a port get `default_port`);
/// nullopt when the host is empty or the port is not 1..65535.
std::optional<BrokerAddress> ParseBrokerAddress(const std::string& text, int default_port);

struct AmqpOptions;
/// Sets host, port and more_addresses from "host[:port]" entries (a
/// cluster's nodes, in the order to try them); entries without a port get
/// `default_port`. Throws cbit::ConfigError naming `key` when there is no
/// entry or one is malformed.
void SetBrokerAddresses(AmqpOptions& o, const std::vector<std::string>& entries, int default_port,
                        const std::string& key);
/// Sets queue_type from "classic" or "quorum", and queue_type_key to `key`.
/// Throws cbit::ConfigError naming `key` for anything else.
void SetQueueType(AmqpOptions& o, const std::string& name, const std::string& key);

/// Where the broker is and how to reach it (pyBit's controller/client keys).
struct AmqpOptions {
  std::string host = "localhost";
  int port = 5672;
  /// More nodes of the same cluster, tried in order after host:port when a
  /// connection cannot be made (refused, unreachable, login refused).
  std::vector<BrokerAddress> more_addresses;
  /// The type of every queue declared; a queue that already exists with
  /// the other type is refused by the broker (PRECONDITION_FAILED).
  QueueType queue_type = QueueType::kClassic;
  /// The config key that sets queue_type, named in errors.
  std::string queue_type_key = "queue_type";
  std::string user = "guest";
  std::string password = "guest";
  std::string vhost = "/";
  std::string exchange = "pybit";
  std::chrono::milliseconds deadline{5000};  ///< connect, declare, confirm
  int heartbeat_seconds = 30;

  /// host:port, then more_addresses: the order connections try them in.
  std::vector<BrokerAddress> Addresses() const;
};

/// A message for the exchange. `queue` is declared (durable) and bound with
/// `routing_key` before the first publish to it; an empty `queue` declares
/// nothing: a CancelRequest must not create the command queue of a client
/// that is gone, since that queue existing is how GET /buildd/<name>/status
/// tells a client is alive.
struct Message {
  std::string routing_key;
  std::string queue;
  std::string body;  ///< JSON, sent persistent with content_encoding UTF-8
  std::map<std::string, std::int64_t> headers;  ///< AMQP headers, e.g. "x-cbit-attempt"
  /// String-valued AMQP headers, e.g. "x-cbit-rejected-reason".
  std::map<std::string, std::string> text_headers;
};

/// The broker could not be reached, refused, or did not confirm in time.
struct BrokerError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

/// The broker answered and refused the login (credentials, virtual host):
/// trying again with the same options cannot succeed.
struct BrokerRefused : BrokerError {
  using BrokerError::BrokerError;
};

class Publisher {
 public:
  /// Hears whether the broker confirmed a message (true), or the message
  /// may not have reached it (false).
  using Done = std::function<void(bool confirmed)>;

  virtual ~Publisher() = default;
  /// Returns once the broker has confirmed the message (publisher confirm);
  /// throws BrokerError otherwise. Thread-safe.
  virtual void Publish(const Message& m) = 0;
  /// Sends without waiting for the confirm; `done` hears the outcome, on
  /// another thread or before this returns. One caller's messages are sent
  /// in order. Thread-safe. This default publishes synchronously.
  // By value: overrides keep `done` until the confirm comes.
  virtual void PublishAsync(const Message& m,
                            Done done) {  // NOLINT(performance-unnecessary-value-param)
    bool ok = true;
    try {
      Publish(m);
    } catch (const BrokerError&) {
      ok = false;
    }
    done(ok);
  }
  /// Returns once every PublishAsync so far has had its outcome, at the
  /// latest at `deadline`, when the rest hear false: no `done` runs after.
  virtual void Drain(std::chrono::steady_clock::time_point deadline) { (void)deadline; }
  /// True when a queue of this name exists (passive declare). Thread-safe.
  virtual bool QueueExists(const std::string& queue) = 0;
  /// Messages ready in a queue (passive declare), nullopt when it does not
  /// exist; throws BrokerError when the broker cannot be asked. Thread-safe.
  virtual std::optional<std::uint32_t> QueueDepth(const std::string& queue) = 0;
  /// One round trip to the broker (declares the exchange, as publishing
  /// does); throws BrokerError when it cannot be made. Thread-safe.
  virtual void Ping() = 0;
};

/// A pool of confirmed channels, one connection each, reconnecting on
/// demand, for Publish; one pipelined channel (publish_pipeline.h) for
/// PublishAsync.
std::unique_ptr<Publisher> MakeAmqpPublisher(const AmqpOptions& opts, int channels);

}  // namespace cbit::queue
