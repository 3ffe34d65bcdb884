#include <gtest/gtest.h>

#include "queue/publisher.h"

namespace cbit::queue {
namespace {

TEST(BrokerAddress, HostWithOrWithoutPort) {
  EXPECT_EQ(ParseBrokerAddress("mq1", 5673), (BrokerAddress{"mq1", 5673}));
  EXPECT_EQ(ParseBrokerAddress("mq1:5800", 5673), (BrokerAddress{"mq1", 5800}));
  for (const char* bad : {"", ":5672", "mq1:", "mq1:x", "mq1:0", "mq1:65536", "mq1:56 72"})
    EXPECT_FALSE(ParseBrokerAddress(bad, 5672)) << bad;
}

TEST(QueueType, ClassicAndQuorumOnly) {
  EXPECT_EQ(ParseQueueType("classic"), QueueType::kClassic);
  EXPECT_EQ(ParseQueueType("quorum"), QueueType::kQuorum);
  EXPECT_FALSE(ParseQueueType("stream"));
  EXPECT_FALSE(ParseQueueType("Quorum"));
  EXPECT_STREQ(QueueTypeName(QueueType::kQuorum), "quorum");
  EXPECT_STREQ(QueueTypeName(AmqpOptions{}.queue_type), "classic");
}

TEST(AmqpOptions, AddressesStartWithHostAndPort) {
  AmqpOptions o;
  o.host = "a";
  o.port = 1;
  EXPECT_EQ(o.Addresses(), (std::vector<BrokerAddress>{{"a", 1}}));
  o.more_addresses = {{"a", 1}, {"b", 2}, {"c", 3}};
  EXPECT_EQ(o.Addresses(), (std::vector<BrokerAddress>{{"a", 1}, {"b", 2}, {"c", 3}}));
}

}  // namespace
}  // namespace cbit::queue
