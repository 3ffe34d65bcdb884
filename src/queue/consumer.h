// Receiving from RabbitMQ (docs/protocol.md, "AMQP"): the build client consumes its build
// queues and its command queue through a Consumer (the seam: FakeBroker in
// fake_consumer.h stands in for it in unit tests); AmqpConsumer is the real
// one, which tests also use to look at what the controller published.
#pragma once

#include <amqp.h>

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "queue/publisher.h"

namespace cbit::queue {

class AmqpConnection;

/// One message as the broker handed it over.
struct Delivery {
  std::uint64_t delivery_tag = 0;  ///< for Ack / Reject on the same Consumer
  std::string exchange;
  std::string routing_key;
  std::string queue;  ///< the queue it came from
  std::string body;
  bool redelivered = false;  ///< delivered before and not acknowledged
  int delivery_mode = 0;     ///< 2: persistent
  std::string content_type;
  std::string content_encoding;
  std::map<std::string, std::int64_t> headers;      ///< the integer-valued AMQP headers
  std::map<std::string, std::string> text_headers;  ///< the string-valued ones
};

/// Whom a prefetch limit counts: each consumer, or the channel as a whole
/// (every acknowledged consumer of this Consumer together).
enum class PrefetchScope { kPerConsumer, kChannel };

/// What a consumer of deliveries does: declare its queues, consume, settle.
/// Not thread-safe; every failure throws BrokerError, after which IsOpen()
/// is false and the caller makes a new Consumer.
class Consumer {
 public:
  virtual ~Consumer() = default;

  /// Declares the exchange (durable, direct) and a durable queue bound to it.
  virtual void DeclareAndBind(const std::string& queue, const std::string& routing_key) = 0;
  /// Declares a durable queue bound with its own name as routing key whose
  /// messages wait `ttl`, then are dead-lettered to the exchange with
  /// `dead_letter_routing_key`: a delay line back into a build queue (a
  /// quorum one dead-letters at least once).
  virtual void DeclareDelayQueue(const std::string& queue, std::chrono::milliseconds ttl,
                                 const std::string& dead_letter_routing_key) = 0;
  /// Starts consuming `queue` with acknowledgements; at most `prefetch`
  /// unacknowledged deliveries are outstanding per consumer, or on the whole
  /// channel with PrefetchScope::kChannel.
  virtual void Consume(const std::string& queue, int prefetch,
                       PrefetchScope scope = PrefetchScope::kPerConsumer) = 0;
  /// Starts consuming `queue` without acknowledgements: deliveries are the
  /// broker's to forget at once, and no prefetch limit of the acknowledged
  /// consumers holds them back.
  virtual void ConsumeAutoAck(const std::string& queue) = 0;
  /// Waits up to `timeout` for the next delivery of any consumed queue.
  virtual std::optional<Delivery> Next(std::chrono::milliseconds timeout) = 0;
  /// Acknowledges a delivery: the broker forgets the message.
  virtual void Ack(std::uint64_t delivery_tag) = 0;
  /// Rejects a delivery; `requeue` puts it back for another consumer.
  virtual void Reject(std::uint64_t delivery_tag, bool requeue) = 0;
  /// Consumers of `queue`, or nullopt when it does not exist.
  virtual std::optional<std::uint32_t> ConsumerCount(const std::string& queue) = 0;
  /// Stops every consumption started with Consume (ConsumeAutoAck's go
  /// on); unacknowledged deliveries stay with this Consumer until
  /// acknowledged or closed.
  virtual void Cancel() = 0;
  /// False after a failure: the connection is gone.
  virtual bool IsOpen() const = 0;
  /// The broker it is connected to, "amqp://host:port" (for logs).
  virtual std::string Address() const = 0;
};

/// A connection of its own with one channel for consuming (and one more for
/// ConsumeAutoAck, one for passive declares). Heartbeats are answered only
/// while a call is running, so a caller that holds a delivery for long (a
/// build) keeps calling Next meanwhile.
class AmqpConsumer final : public Consumer {
 public:
  /// Connects within opts.deadline; throws BrokerError.
  explicit AmqpConsumer(const AmqpOptions& opts);
  ~AmqpConsumer() override;
  AmqpConsumer(const AmqpConsumer&) = delete;
  AmqpConsumer& operator=(const AmqpConsumer&) = delete;

  void DeclareAndBind(const std::string& queue, const std::string& routing_key) override;
  void DeclareDelayQueue(const std::string& queue, std::chrono::milliseconds ttl,
                         const std::string& dead_letter_routing_key) override;
  void Consume(const std::string& queue, int prefetch,
               PrefetchScope scope = PrefetchScope::kPerConsumer) override;
  void ConsumeAutoAck(const std::string& queue) override;
  std::optional<Delivery> Next(std::chrono::milliseconds timeout) override;
  void Ack(std::uint64_t delivery_tag) override;
  void Reject(std::uint64_t delivery_tag, bool requeue) override;
  std::optional<std::uint32_t> ConsumerCount(const std::string& queue) override;
  void Cancel() override;
  bool IsOpen() const override;
  std::string Address() const override;

  /// Takes one message with basic.get (acknowledge it with Ack), if any.
  std::optional<Delivery> Get(const std::string& queue);
  /// Messages ready in `queue`, or nullopt when it does not exist.
  std::optional<std::uint32_t> MessageCount(const std::string& queue);

 private:
  /// The connection with the usual deadline set; throws when it is closed.
  AmqpConnection& Live();
  /// The passive declare of MessageCount and ConsumerCount.
  std::optional<std::pair<std::uint32_t, std::uint32_t>> Probe(const std::string& queue);
  /// basic.consume on the consuming channel.
  void StartConsumer(const std::string& queue, amqp_channel_t channel, bool auto_ack);

  AmqpOptions opts_;
  std::unique_ptr<AmqpConnection> conn_;
  std::map<std::string, std::string> queue_of_tag_;  ///< consumer tag → queue
  /// Consumers not cancelled, with their channels.
  std::vector<std::pair<std::string, amqp_channel_t>> active_tags_;
  bool probe_channel_open_ = false;
  bool auto_ack_channel_open_ = false;
};

}  // namespace cbit::queue
