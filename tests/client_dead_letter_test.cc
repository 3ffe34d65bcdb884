// A hostile message on a real build queue: the real cbit-client dead-letters
// it with its reason and goes on serving the next request (before the
// decoder's limits, the first crashed every client, again at each
// redelivery).
#include <gtest/gtest.h>

#include <thread>

#include "client/daemon.h"
#include "queue/consumer.h"
#include "queue/signing.h"
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
  // Signed with the controller's key: what a controller with a bug (or a
  // client that does not require signatures) would hand the decoder.
  const queue::SigningKey key = harness().SigningKey();
  for (const std::string& body : {std::string(100000, '[') + std::string(100000, ']'),
                                  ReferenceChain(40), std::string("{not json")}) {
    publisher->Publish(
        {RoutingKey(pi), QueueName(pi), body, {}, {{queue::kSignatureHeader, Sign(key, body)}}});
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

// A client's broker user may publish to the exchange: a build request it
// forges for a real Waiting job, naming other sources, must not be built.
// The forgery is queued ahead of the controller's own request; unsigned, or
// signed with a key the controller does not list, it is dead-lettered and
// the job is built from the controller's request.
TEST_F(ClientE2e, AForgedBuildRequestIsDeadLetteredAndTheRealOneBuilt) {
  PackageSpec spec{.name = "hello-forged", .suite = suite()};
  auto repo = MakeGitRepo(spec, scratch());
  PackageSpec evil_spec{.name = "hello-forged", .suite = suite()};
  auto evil = MakeGitRepo(evil_spec, scratch() + "/evil");
  Id job = Submit(spec, "git", repo.path, repo.commit);
  PackageInstance pi;
  pi.dist.name = "Debian";
  pi.arch.name = HostArch();
  pi.suite.name = suite();
  pi.format.name = "deb";
  // Take the controller's request off the queue, to put it back behind the forgeries.
  queue::AmqpConsumer taker(SharedRabbit().options());
  std::optional<queue::Delivery> real;
  for (int i = 0; i < 100 && !real; ++i) {
    real = taker.Get(QueueName(pi));
    if (!real) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  ASSERT_TRUE(real) << "the controller published no request";
  taker.Ack(real->delivery_tag);
  std::string forged = real->body;
  for (auto at = forged.find(repo.path); at != std::string::npos; at = forged.find(repo.path, at))
    forged.replace(at, repo.path.size(), evil.path), at += evil.path.size();
  ASSERT_NE(forged, real->body);

  auto publisher = queue::MakeAmqpPublisher(SharedRabbit().options(), 1);
  const queue::SigningKey stranger = queue::NewSigningKey();
  publisher->Publish({RoutingKey(pi), QueueName(pi), forged, {}, {}});
  publisher->Publish({RoutingKey(pi),
                      QueueName(pi),
                      forged,
                      {},
                      {{queue::kSignatureHeader, Sign(stranger, forged)}}});
  publisher->Publish({RoutingKey(pi),
                      QueueName(pi),
                      forged,
                      {},
                      {{queue::kSignatureHeader, real->text_headers[queue::kSignatureHeader]}}});
  publisher->Publish({RoutingKey(pi), QueueName(pi), real->body, {}, real->text_headers});

  ClientSetup setup = Client("build_client_e2e_forged");
  setup.dry_run = true;
  ClientProcess client(setup);
  ASSERT_TRUE(WaitForStatus(job, "Done", seconds(120))) << client.Log();
  std::string log = LogOf(job);
  EXPECT_NE(log.find(repo.path), std::string::npos) << log;
  EXPECT_EQ(log.find(evil.path), std::string::npos) << log;
  auto reasons = DeadLettersFrom(QueueName(pi));
  ASSERT_EQ(reasons.size(), 3u) << client.Log();
  EXPECT_NE(reasons[0].find("not signed"), std::string::npos) << reasons[0];
  EXPECT_NE(reasons[1].find("a key the controller does not list"), std::string::npos) << reasons[1];
  EXPECT_NE(reasons[2].find("does not match its body"), std::string::npos) << reasons[2];
  EXPECT_EQ(client.Stop(), 0) << client.Log();
}

}  // namespace
}  // namespace cbit::testing
