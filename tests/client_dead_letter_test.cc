// A hostile message on a real build queue: the real cbit-client dead-letters
// it with its reason and goes on serving the next request (before the
// decoder's limits, the first crashed every client, again at each
// redelivery).
#include <gtest/gtest.h>

#include "client/daemon.h"
#include "queue/consumer.h"
#include "tests/support/client_e2e.h"
#include "tests/support/debpkg.h"
#include "tests/support/rabbitmq.h"

namespace cbit::testing {
namespace {
using std::chrono::seconds;

std::string ReferenceChain(int links) {
  std::string text = R"({"job": {"py/object": "x", "leaf": "payload"}, "chain": [)";
  for (int i = 1; i < links; ++i) {
    std::string ref = R"({"py/id": )" + std::to_string(i) + "}";
    text += (i > 1 ? ", " : "") + std::string(R"({"py/object": "x", "a": )") + ref + R"(, "b": )" +
            ref + "}";
  }
  return text + "]}";
}

// The dead letters that came from `queue`, reasons in order.
std::vector<std::string> DeadLettersFrom(const std::string& queue) {
  queue::AmqpConsumer c(SharedRabbit().options());
  std::vector<std::string> reasons;
  while (auto d = c.Get(client::kDeadLetterQueue)) {
    if (d->text_headers[client::kRejectedFromHeader] == queue)
      reasons.push_back(d->text_headers[client::kRejectedReasonHeader]);
    c.Ack(d->delivery_tag);
  }
  return reasons;
}

TEST_F(ClientE2e, AHostileRequestIsDeadLetteredAndTheNextOneServed) {
  PackageInstance pi;
  pi.dist.name = "Debian";
  pi.arch.name = HostArch();
  pi.suite.name = suite();
  pi.format.name = "deb";
  auto publisher = queue::MakeAmqpPublisher(SharedRabbit().options(), 1);
  for (const std::string& body : {std::string(100000, '[') + std::string(100000, ']'),
                                  ReferenceChain(40), std::string("{not json")}) {
    publisher->Publish({RoutingKey(pi), QueueName(pi), body});
  }

  PackageSpec spec{.name = "hello-after-hostile", .suite = suite()};
  auto repo = MakeGitRepo(spec, scratch());
  ClientSetup setup = Client("build_client_e2e_hostile");
  setup.dry_run = true;
  ClientProcess client(setup);
  Id job = Submit(spec, "git", repo.path, repo.commit);
  ASSERT_TRUE(WaitForStatus(job, "Done", seconds(120))) << client.Log();

  auto reasons = DeadLettersFrom(QueueName(pi));
  ASSERT_EQ(reasons.size(), 3u) << client.Log();
  EXPECT_NE(reasons[0].find("nested deeper"), std::string::npos) << reasons[0];
  EXPECT_NE(reasons[1].find("expand beyond"), std::string::npos) << reasons[1];
  EXPECT_NE(reasons[2].find("not valid JSON"), std::string::npos) << reasons[2];
  EXPECT_NE(client.Log().find("dead-lettered"), std::string::npos);
  EXPECT_EQ(client.Stop(), 0) << client.Log();
}

}  // namespace
}  // namespace cbit::testing
