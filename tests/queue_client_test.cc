// The AMQP features the build client relies on, against a real RabbitMQ
// node: one unacknowledged delivery across several queues (channel-wide
// prefetch) while commands still get through, delay queues that dead-letter
// back into a build queue, integer headers, and consumer counts.
#include <gtest/gtest.h>

#include "queue/consumer.h"
#include "queue/publisher.h"
#include "tests/support/rabbitmq.h"

namespace cbit::queue {
namespace {

using std::chrono::milliseconds;
using testing::SharedRabbit;

TEST(AmqpClientFeatures, ChannelPrefetchHoldsBuildsButNotCommands) {
  auto opts = SharedRabbit().options();
  auto publisher = MakeAmqpPublisher(opts, 1);
  AmqpConsumer c(opts);
  c.DeclareAndBind("Debian_amd64_qa_deb", "Debian.amd64.qa.deb");
  c.DeclareAndBind("Debian_amd64_qb_deb", "Debian.amd64.qb.deb");
  c.DeclareAndBind("build_client_qtest", "build_client_qtest");
  c.ConsumeAutoAck("build_client_qtest");
  c.Consume("Debian_amd64_qa_deb", 1, PrefetchScope::kChannel);
  c.Consume("Debian_amd64_qb_deb", 1, PrefetchScope::kChannel);
  EXPECT_EQ(c.ConsumerCount("build_client_qtest"), 1u);
  EXPECT_EQ(c.ConsumerCount("no_such_queue_qtest"), std::nullopt);

  publisher->Publish({"Debian.amd64.qa.deb", "", "a"});
  publisher->Publish({"Debian.amd64.qb.deb", "", "b"});
  auto first = c.Next(milliseconds(5000));
  ASSERT_TRUE(first);
  // One build at a time, whichever queue the second one is in.
  EXPECT_FALSE(c.Next(milliseconds(300)));
  publisher->Publish({"build_client_qtest", "", "cancel"});
  auto command = c.Next(milliseconds(5000));
  ASSERT_TRUE(command);
  EXPECT_EQ(command->body, "cancel");
  EXPECT_EQ(command->queue, "build_client_qtest");
  c.Ack(first->delivery_tag);
  auto second = c.Next(milliseconds(5000));
  ASSERT_TRUE(second);
  EXPECT_NE(second->body, first->body);
  c.Ack(second->delivery_tag);
}

TEST(AmqpClientFeatures, ADelayQueueSendsAMessageBackWithItsHeaders) {
  auto opts = SharedRabbit().options();
  auto publisher = MakeAmqpPublisher(opts, 1);
  AmqpConsumer c(opts);
  c.DeclareAndBind("Debian_amd64_qdelay_deb", "Debian.amd64.qdelay.deb");
  c.DeclareDelayQueue("cbit_retry_1s_Debian_amd64_qdelay_deb", std::chrono::seconds(1),
                      "Debian.amd64.qdelay.deb");
  c.Consume("Debian_amd64_qdelay_deb", 1);
  Message m{"cbit_retry_1s_Debian_amd64_qdelay_deb", "", "later"};
  m.headers = {{"x-cbit-attempt", 3}};
  publisher->Publish(m);
  auto d = c.Next(milliseconds(20000));
  ASSERT_TRUE(d);
  EXPECT_EQ(d->body, "later");
  EXPECT_EQ(d->queue, "Debian_amd64_qdelay_deb");
  EXPECT_EQ(d->routing_key, "Debian.amd64.qdelay.deb");
  EXPECT_EQ(d->headers["x-cbit-attempt"], 3);
  c.Ack(d->delivery_tag);
}

}  // namespace
}  // namespace cbit::queue
