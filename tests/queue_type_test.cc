// Queue types and broker addresses against a real RabbitMQ node: a queue
// that exists with the other type is refused with a message naming the
// setting; quorum delay queues send their messages back; a connection
// passes over an address where no broker listens.
#include <gtest/gtest.h>

#include "queue/consumer.h"
#include "queue/publisher.h"
#include "tests/support/ports.h"
#include "tests/support/rabbitmq.h"

namespace cbit::queue {
namespace {

using std::chrono::milliseconds;
using testing::SharedRabbit;

AmqpOptions Quorum() {
  AmqpOptions o = SharedRabbit().options();
  SetQueueType(o, "quorum", "controller.queue_type");
  return o;
}

// The BrokerError's message, or "" when `fn` did not throw one.
template <typename F>
std::string ErrorOf(F fn) {
  try {
    fn();
  } catch (const BrokerError& e) {
    return e.what();
  }
  return "";
}

TEST(QueueType, AClassicQueueDeclaredAsQuorumIsRefusedNamingTheSetting) {
  AmqpConsumer classic(SharedRabbit().options());
  classic.DeclareAndBind("Debian_amd64_qtype1_deb", "Debian.amd64.qtype1.deb");
  AmqpConsumer quorum(Quorum());
  std::string error =
      ErrorOf([&] { quorum.DeclareAndBind("Debian_amd64_qtype1_deb", "Debian.amd64.qtype1.deb"); });
  EXPECT_NE(error.find("'Debian_amd64_qtype1_deb'"), std::string::npos) << error;
  EXPECT_NE(error.find("controller.queue_type \"quorum\""), std::string::npos) << error;
  EXPECT_NE(error.find("PRECONDITION_FAILED"), std::string::npos) << error;
  EXPECT_FALSE(quorum.IsOpen());
  // The controller's publisher declares its build queues the same way.
  auto publisher = MakeAmqpPublisher(Quorum(), 1);
  error = ErrorOf([&] {
    publisher->Publish({"Debian.amd64.qtype1.deb", "Debian_amd64_qtype1_deb", "{}"});
  });
  EXPECT_NE(error.find("controller.queue_type \"quorum\""), std::string::npos) << error;
}

TEST(QueueType, AQuorumQueueDeclaredAsClassicIsRefusedNamingTheSetting) {
  AmqpConsumer quorum(Quorum());
  quorum.DeclareAndBind("Debian_amd64_qtype2_deb", "Debian.amd64.qtype2.deb");
  AmqpOptions classic_opts = SharedRabbit().options();
  SetQueueType(classic_opts, "classic", "config key 'queue_type'");
  AmqpConsumer classic(classic_opts);
  std::string error = ErrorOf(
      [&] { classic.DeclareAndBind("Debian_amd64_qtype2_deb", "Debian.amd64.qtype2.deb"); });
  EXPECT_NE(error.find("config key 'queue_type' \"classic\""), std::string::npos) << error;
  EXPECT_NE(error.find("PRECONDITION_FAILED"), std::string::npos) << error;
}

TEST(QueueType, AQuorumDelayQueueSendsAMessageBackWithItsHeaders) {
  auto opts = Quorum();
  auto publisher = MakeAmqpPublisher(opts, 1);
  AmqpConsumer c(opts);
  c.DeclareAndBind("Debian_amd64_qqdelay_deb", "Debian.amd64.qqdelay.deb");
  c.DeclareDelayQueue("cbit_retry_1s_Debian_amd64_qqdelay_deb", std::chrono::seconds(1),
                      "Debian.amd64.qqdelay.deb");
  // Quorum queues take a prefetch per consumer only.
  c.Consume("Debian_amd64_qqdelay_deb", 1, PrefetchScope::kPerConsumer);
  Message m{"cbit_retry_1s_Debian_amd64_qqdelay_deb", "", "later"};
  m.headers = {{"x-cbit-attempt", 3}};
  publisher->Publish(m);
  auto d = c.Next(milliseconds(20000));
  ASSERT_TRUE(d);
  EXPECT_EQ(d->body, "later");
  EXPECT_EQ(d->queue, "Debian_amd64_qqdelay_deb");
  EXPECT_EQ(d->headers["x-cbit-attempt"], 3);
  c.Ack(d->delivery_tag);
}

TEST(BrokerAddresses, AnAddressWithoutABrokerIsPassedOver) {
  AmqpOptions opts = SharedRabbit().options();
  const int nobody = testing::FreePort();  // reserved: nothing listens there
  opts.more_addresses = {{opts.host, opts.port}};
  opts.port = nobody;
  AmqpConsumer c(opts);
  EXPECT_EQ(c.Address(), "amqp://127.0.0.1:" + std::to_string(SharedRabbit().port()));
  auto publisher = MakeAmqpPublisher(opts, 1);
  publisher->Publish({"Debian.amd64.qaddr.deb", "Debian_amd64_qaddr_deb", "{}"});
  EXPECT_EQ(c.MessageCount("Debian_amd64_qaddr_deb"), 1u);
  // None answers: the error names each.
  const int nobody_either = testing::FreePort();
  opts.more_addresses = {{"127.0.0.1", nobody_either}};
  std::string error = ErrorOf([&] { AmqpConsumer none(opts); });
  EXPECT_NE(error.find("cannot connect to amqp://127.0.0.1:" + std::to_string(nobody) + ": "),
            std::string::npos)
      << error;
  EXPECT_NE(error.find("; cannot connect to amqp://127.0.0.1:" + std::to_string(nobody_either)),
            std::string::npos)
      << error;
}

}  // namespace
}  // namespace cbit::queue
