// One start-up try of the broker (peercheck): a login, so wrong credentials
// or a virtual host the user may not use are told from an outage.
#pragma once

#include <string>

#include "peercheck/await.h"
#include "queue/publisher.h"

namespace cbit::queue {

/// Connects and logs in (opts.deadline as the timeout). A login the broker
/// refuses (ACCESS_REFUSED, a virtual host not allowed) is kRefused.
peercheck::Answer ProbeBroker(const AmqpOptions& opts);

/// "RabbitMQ at amqp://host:port (virtual host /, user guest)".
std::string DescribeBroker(const AmqpOptions& opts);

}  // namespace cbit::queue
