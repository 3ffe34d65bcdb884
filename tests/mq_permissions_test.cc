// A build client's own RabbitMQ user (scripts/mq-client-user.sh, what
// `make up` runs) on a real node: the client can declare and consume what
// it uses, and nothing of another client, architecture or suite.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "queue/consumer.h"
#include "tests/support/debpkg.h"
#include "tests/support/fixture.h"
#include "tests/support/rabbitmq.h"

namespace cbit {
namespace {
using namespace std::chrono_literals;
using testing::SharedRabbit;

const std::string kOwnQueue = "Debian_amd64_chickpea_deb";

queue::AmqpOptions ClientUser(const std::string& client) {
  const std::string password_file = testing::ScratchDir("mq-user") + "/password";
  testing::MustRun({std::string(CBIT_SOURCE_DIR) + "/scripts/mq-client-user.sh",
                    SharedRabbit().dir(), client, password_file, kOwnQueue});
  std::ifstream in(password_file);
  std::stringstream password;
  password << in.rdbuf();
  queue::AmqpOptions o = SharedRabbit().options();
  o.user = client;
  o.password = password.str();
  return o;
}

// What the broker answers `client` when it consumes `queue`, which an
// administrator declared first (so a refusal is about permission).
std::string ConsumeAs(const queue::AmqpOptions& client, const std::string& queue) {
  queue::AmqpConsumer admin(SharedRabbit().options());
  admin.DeclareAndBind(queue, queue);
  try {
    queue::AmqpConsumer c(client);
    c.Consume(queue, 1);
    return "consumed";
  } catch (const queue::BrokerError& e) {
    return e.what();
  }
}

TEST(MqClientUser, ReachesItsOwnQueuesOnly) {
  SharedRabbit().Start();
  const auto me = ClientUser("build_client_perm");
  {
    queue::AmqpConsumer c(me);
    c.DeclareAndBind(kOwnQueue, kOwnQueue);
    c.DeclareAndBind("build_client_perm", "build_client_perm");
    c.DeclareAndBind("cbit_dead_letter", "cbit_dead_letter");
    c.DeclareDelayQueue("cbit_retry_30s_" + kOwnQueue, 30s, kOwnQueue);
    c.Consume(kOwnQueue, 1);
    c.ConsumeAutoAck("build_client_perm");
  }
  for (const std::string queue :
       {"Debian_amd64_bookworm_deb", "Debian_i386_chickpea_deb", "build_client_other",
        "cbit_retry_30s_Debian_i386_chickpea_deb"}) {
    std::string answer = ConsumeAs(me, queue);
    EXPECT_NE(answer.find("ACCESS_REFUSED"), std::string::npos) << queue << ": " << answer;
  }
  EXPECT_EQ(ConsumeAs(me, kOwnQueue), "consumed");

  queue::AmqpOptions wrong = me;
  wrong.password = "not-the-password";
  EXPECT_THROW(queue::AmqpConsumer{wrong}, queue::BrokerError);
}

}  // namespace
}  // namespace cbit
