// A thin RAII layer over rabbitmq-c shared by the publisher and the consumer:
// one connection, opened and logged in within a deadline, whose failures all
// become BrokerError with the broker's own reason in the message.
#pragma once

#include <amqp.h>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "queue/publisher.h"

namespace cbit::queue {

using Clock = std::chrono::steady_clock;

/// Readable text for a failed rabbitmq-c call: the library's error, or the
/// code and reason with which the broker closed the channel or connection.
std::string DescribeReply(const amqp_rpc_reply_t& reply);

/// A view of `s` as AMQP bytes (no copy; valid while `s` is).
amqp_bytes_t AsBytes(std::string_view s);

/// A copy of AMQP bytes as a string.
std::string ToString(amqp_bytes_t b);

/// One broker connection. Channel 1 is opened by the constructor; more
/// channels can be opened with OpenChannel. Not thread-safe.
class AmqpConnection {
 public:
  static constexpr amqp_channel_t kChannel = 1;

  /// Connects, logs in (PLAIN, with heartbeats) and opens channel 1, all
  /// before `deadline`, at the first of opts.Addresses() that lets it.
  /// Throws BrokerError (with every address's reason).
  AmqpConnection(const AmqpOptions& opts, Clock::time_point deadline);
  ~AmqpConnection();
  AmqpConnection(const AmqpConnection&) = delete;
  AmqpConnection& operator=(const AmqpConnection&) = delete;

  /// The rabbitmq-c handle, for calls this class does not wrap.
  amqp_connection_state_t get() const { return conn_; }
  /// False once a call has failed: the connection must then be replaced.
  bool usable() const { return usable_; }
  /// The options it was opened with.
  const AmqpOptions& options() const { return opts_; }
  /// The broker it is connected to.
  const BrokerAddress& address() const { return address_; }

  /// Bounds every following synchronous method (declare, bind, ...) by
  /// `deadline` instead of the default opts.deadline from the call.
  void SetDeadline(Clock::time_point deadline);

  /// Throws BrokerError "<what>: <reason>" unless `reply` is normal, and
  /// marks the connection unusable.
  void Check(const amqp_rpc_reply_t& reply, std::string_view what);
  /// The same for the reply to the last synchronous method.
  void CheckLastReply(std::string_view what) { Check(amqp_get_rpc_reply(conn_), what); }
  /// The same for calls that return a status code (publish, ack, ...).
  void CheckStatus(int status, std::string_view what);
  /// Throws BrokerError and marks the connection unusable.
  [[noreturn]] void Fail(const std::string& message);

  /// Opens another channel on this connection.
  void OpenChannel(amqp_channel_t channel);
  /// Declares a durable direct exchange.
  void DeclareExchange(const std::string& exchange, amqp_channel_t channel = kChannel);
  /// Declares a durable queue (neither exclusive nor auto-delete) with
  /// `arguments` (x-message-ttl, …) and x-queue-type when opts.queue_type is
  /// quorum, and binds it. A queue that exists with other arguments fails
  /// with a BrokerError naming opts.queue_type_key.
  void DeclareAndBindQueue(const std::string& queue, const std::string& exchange,
                           const std::string& routing_key, amqp_channel_t channel = kChannel,
                           amqp_table_t arguments = amqp_empty_table);
  /// What a passive declare tells about a queue.
  struct QueueCounts {
    std::uint32_t messages = 0;
    std::uint32_t consumers = 0;
  };
  /// Passive declare: the queue's counts, or nullopt when it does not
  /// exist. The broker closes the channel on a miss; it is reopened here.
  std::optional<QueueCounts> PassiveDeclare(const std::string& queue, amqp_channel_t channel);

  /// Reads, without blocking, whatever the broker sent since the last call
  /// (heartbeats; a close after a broker restart). False when the
  /// connection turns out to be closed; it is then unusable.
  bool StillOpen();

  /// Waits until `deadline` for one frame, servicing heartbeats meanwhile.
  /// Returns false on timeout; throws BrokerError when the connection fails
  /// or the broker closes a channel or the connection.
  bool WaitFrame(amqp_frame_t* frame, Clock::time_point deadline);

 private:
  /// One attempt at `address`; conn_ is null again when it throws.
  void Open(const BrokerAddress& address, Clock::time_point deadline);

  AmqpOptions opts_;
  BrokerAddress address_;
  amqp_connection_state_t conn_ = nullptr;
  bool usable_ = true;
  bool logged_in_ = false;
};

/// The time left until `deadline` as a timeval (zero when it has passed).
timeval TimeLeft(Clock::time_point deadline);

}  // namespace cbit::queue
