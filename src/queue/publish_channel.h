// One confirmed publishing channel on its own connection, and what has been
// declared on it, so that a publish to a known queue costs no round trip
// before basic.publish. Shared by the pooled synchronous publisher and the
// pipelined one (publish_pipeline.h). Not thread-safe.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <unordered_set>

#include "queue/amqp.h"

namespace cbit::queue {

class PublishChannel {
 public:
  explicit PublishChannel(const AmqpOptions& opts) : opts_(opts) {}

  /// The open connection, (re)connected first when there is none, it was
  /// closed by the broker, or it sat idle past the heartbeat interval (the
  /// library answers heartbeats only inside its calls). Throws BrokerError.
  AmqpConnection& Connect(Clock::time_point deadline);
  bool connected() const { return conn_ != nullptr; }
  AmqpConnection& conn() { return *conn_; }

  /// Declares the exchange and the message's queue and binding unless done
  /// already on this connection, then sends basic.publish (persistent, JSON,
  /// UTF-8, the message's headers). Returns the delivery tag whose confirm
  /// to wait for. Throws BrokerError; the channel must then be Reset.
  std::uint64_t Send(const Message& m, Clock::time_point deadline);

  /// Drops the connection; the next Connect opens a new one.
  void Reset();

 private:
  const AmqpOptions opts_;
  std::unique_ptr<AmqpConnection> conn_;
  bool exchange_declared_ = false;
  std::unordered_set<std::string> bound_;  ///< queue + '\n' + routing key
  std::uint64_t last_tag_ = 0;             ///< delivery tags count publishes
  Clock::time_point last_used_;
};

}  // namespace cbit::queue
