#include "queue/broker_probe.h"

#include "queue/amqp.h"

namespace cbit::queue {

std::string DescribeBroker(const AmqpOptions& opts) {
  return "RabbitMQ at amqp://" + opts.host + ":" + std::to_string(opts.port) + " (virtual host " +
         opts.vhost + ", user " + opts.user + ")";
}

peercheck::Answer ProbeBroker(const AmqpOptions& opts) {
  using peercheck::State;
  try {
    AmqpConnection connection(opts, Clock::now() + opts.deadline);
    return {State::kReady, ""};
  } catch (const BrokerRefused& e) {
    return {State::kRefused, e.what()};
  } catch (const BrokerError& e) {
    return {State::kUnreachable, e.what()};
  }
}

}  // namespace cbit::queue
