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

/// Where the broker is and how to reach it (pyBit's controller/client keys).
struct AmqpOptions {
  std::string host = "localhost";
  int port = 5672;
  std::string user = "guest";
  std::string password = "guest";
  std::string vhost = "/";
  std::string exchange = "pybit";
  std::chrono::milliseconds deadline{5000};  ///< connect, declare, confirm
  int heartbeat_seconds = 30;
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
