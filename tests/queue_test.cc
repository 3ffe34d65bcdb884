// The AMQP layer against a real RabbitMQ node: publisher confirms, queue
// probes, consuming with prefetch and redelivery, and riding out a broker
// restart.
#include <gtest/gtest.h>

#include <atomic>
#include <set>
#include <thread>
#include <vector>

#include "queue/consumer.h"
#include "queue/publisher.h"
#include "tests/support/rabbitmq.h"

namespace cbit::queue {
namespace {

using std::chrono::milliseconds;
using testing::RabbitNode;
using testing::SharedRabbit;
using Clock = std::chrono::steady_clock;

const std::string kQueue = "Debian_i386_chickpea_deb";
const std::string kKey = "Debian.i386.chickpea.deb";

// Takes and acknowledges whatever an earlier test left in `queue`.
void Drain(AmqpConsumer& c, const std::string& queue) {
  while (auto d = c.Get(queue)) c.Ack(d->delivery_tag);
}

TEST(AmqpPublisher, ConfirmedMessageIsPersistentJsonInItsBoundQueue) {
  auto opts = SharedRabbit().options();
  auto publisher = MakeAmqpPublisher(opts, 2);
  AmqpConsumer consumer(opts);
  consumer.DeclareAndBind(kQueue, kKey);
  Drain(consumer, kQueue);

  std::string body = R"({"py/object": "pybit.models.BuildRequest", "job": {"id": 1}})";
  publisher->Publish({kKey, kQueue, body});

  auto d = consumer.Get(kQueue);
  ASSERT_TRUE(d.has_value());
  EXPECT_EQ(d->body, body);
  EXPECT_EQ(d->exchange, "pybit");
  EXPECT_EQ(d->routing_key, kKey);
  EXPECT_EQ(d->delivery_mode, 2);
  EXPECT_EQ(d->content_encoding, "UTF-8");
  EXPECT_EQ(d->content_type, "application/json");
  EXPECT_FALSE(d->redelivered);
  consumer.Ack(d->delivery_tag);
  EXPECT_FALSE(consumer.Get(kQueue).has_value());
}

TEST(AmqpPublisher, QueueExistsAndSurvivesAMiss) {
  auto publisher = MakeAmqpPublisher(SharedRabbit().options(), 1);
  publisher->Publish({"build_client_sample", "build_client_sample", "{}"});
  EXPECT_TRUE(publisher->QueueExists("build_client_sample"));
  EXPECT_FALSE(publisher->QueueExists("build_client_nobody"));
  EXPECT_FALSE(publisher->QueueExists("build_client_nobody"));
  EXPECT_TRUE(publisher->QueueExists("build_client_sample"));
  publisher->Publish({"build_client_sample", "build_client_sample", "{}"});

  AmqpConsumer consumer(SharedRabbit().options());
  EXPECT_EQ(consumer.MessageCount("build_client_sample"), 2u);
  EXPECT_EQ(consumer.MessageCount("build_client_nobody"), std::nullopt);
  Drain(consumer, "build_client_sample");
  EXPECT_EQ(consumer.MessageCount("build_client_sample"), 0u);
}

TEST(AmqpConsumer, PrefetchOneDeliversPromptlyAndRedeliversUnacked) {
  auto opts = SharedRabbit().options();
  const std::string queue = "Debian_amd64_consume_deb", key = "Debian.amd64.consume.deb";
  auto publisher = MakeAmqpPublisher(opts, 1);
  auto first = std::make_unique<AmqpConsumer>(opts);
  first->DeclareAndBind(queue, key);
  Drain(*first, queue);
  first->Consume(queue, 1);

  publisher->Publish({key, queue, "one"});
  publisher->Publish({key, queue, "two"});
  // Pushed by the broker, not polled (pyBit polled every 60 s): the wait
  // bound is far above the real figure (bench/) and far below a poll.
  auto d = first->Next(milliseconds(5000));
  ASSERT_TRUE(d.has_value());
  EXPECT_EQ(d->body, "one");
  EXPECT_EQ(d->queue, queue);
  EXPECT_FALSE(d->redelivered);
  // Prefetch 1: nothing more while "one" is unacknowledged.
  EXPECT_FALSE(first->Next(milliseconds(300)).has_value());

  first.reset();  // the connection closes with "one" unacknowledged
  AmqpConsumer second(opts);
  second.Consume(queue, 1);
  auto again = second.Next(milliseconds(5000));
  ASSERT_TRUE(again.has_value());
  EXPECT_EQ(again->body, "one");
  EXPECT_TRUE(again->redelivered);
  second.Ack(again->delivery_tag);
  auto next = second.Next(milliseconds(5000));
  ASSERT_TRUE(next.has_value());
  EXPECT_EQ(next->body, "two");
  second.Reject(next->delivery_tag, /*requeue=*/false);
  second.Cancel();
  EXPECT_EQ(second.MessageCount(queue), 0u);
  EXPECT_TRUE(second.IsOpen());
}

TEST(AmqpPublisher, RidesOutABrokerRestart) {
  RabbitNode node;
  node.Start();
  auto opts = node.options();
  opts.deadline = milliseconds(2000);
  const std::string queue = "Debian_armel_restart_deb", key = "Debian.armel.restart.deb";
  constexpr int kChannels = 4;
  auto publisher = MakeAmqpPublisher(opts, kChannels);
  // Channels are lent round robin: this opens every connection of the pool.
  for (int i = 0; i < kChannels; ++i)
    publisher->Publish({key, queue, "before " + std::to_string(i)});
  AmqpConsumer watcher(opts);
  watcher.Consume(queue, 1);
  ASSERT_TRUE(watcher.Next(milliseconds(5000)).has_value());  // held unacknowledged

  node.Stop();
  auto start = Clock::now();
  EXPECT_THROW(publisher->Publish({key, queue, "while down"}), BrokerError);
  EXPECT_THROW(publisher->QueueExists(queue), BrokerError);
  EXPECT_LT(Clock::now() - start, opts.deadline + milliseconds(1000));
  // The consumer learns of the shutdown instead of waiting forever.
  EXPECT_THROW(watcher.Next(milliseconds(2000)), BrokerError);
  EXPECT_FALSE(watcher.IsOpen());

  node.Start();
  // Every pooled connection died with the broker; none of them may fail a
  // publish now that it is back.
  for (int i = 0; i < kChannels; ++i)
    publisher->Publish({key, queue, "after " + std::to_string(i)});
  EXPECT_TRUE(publisher->QueueExists(queue));
  AmqpConsumer consumer(opts);
  EXPECT_EQ(consumer.MessageCount(queue), 2u * kChannels);
  std::multiset<std::string> bodies;
  while (auto d = consumer.Get(queue)) {
    EXPECT_EQ(d->delivery_mode, 2);
    bodies.insert(d->body);
  }
  std::multiset<std::string> expected;
  for (int i = 0; i < kChannels; ++i) {
    expected.insert("before " + std::to_string(i));
    expected.insert("after " + std::to_string(i));
  }
  EXPECT_EQ(bodies, expected);
}

// Eight threads share the pool: every publish is confirmed and lands once.
// (Its speed is measured by bench/, not here.)
TEST(AmqpPublisher, ConcurrentPublishesAllLandOnce) {
  constexpr int kThreads = 8, kPerThread = 500;
  auto opts = SharedRabbit().options();
  auto publisher = MakeAmqpPublisher(opts, kThreads);
  // A queue of its own per run, so that --gtest_repeat counts right.
  static int run = 0;
  const std::string suite = "rate" + std::to_string(run++);
  const std::string queue = "Debian_i386_" + suite + "_deb", key = "Debian.i386." + suite + ".deb";
  publisher->Publish({key, queue, "warm-up"});
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < kPerThread; ++i) {
        try {
          publisher->Publish({key, queue, R"({"job": {"id": 1}})"});
        } catch (const BrokerError&) {
          ++failures;
        }
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(failures, 0);
  AmqpConsumer consumer(opts);
  EXPECT_EQ(consumer.MessageCount(queue), 1u + kThreads * kPerThread);
}

// The pipeline: messages from several threads are sent without waiting,
// each hears exactly one outcome, all are confirmed, and each lands once, in
// the order each thread gave them.
TEST(AmqpPipeline, AsyncPublishesAreConfirmedOnceAndLandInOrder) {
  constexpr int kThreads = 4, kPerThread = 100;
  auto opts = SharedRabbit().options();
  auto publisher = MakeAmqpPublisher(opts, 1);
  static int run = 0;
  const std::string suite = "pipe" + std::to_string(run++);
  const std::string queue = "Debian_i386_" + suite + "_deb", key = "Debian.i386." + suite + ".deb";
  std::atomic<int> confirmed{0}, refused{0}, outcomes{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        publisher->PublishAsync({key, queue, std::to_string(t) + " " + std::to_string(i)},
                                [&](bool ok) {
                                  ++(ok ? confirmed : refused);
                                  ++outcomes;
                                });
      }
    });
  }
  for (auto& t : threads) t.join();
  publisher->Drain(Clock::now() + std::chrono::seconds(10));
  EXPECT_EQ(outcomes, kThreads * kPerThread);
  EXPECT_EQ(confirmed, kThreads * kPerThread);
  EXPECT_EQ(refused, 0);
  AmqpConsumer consumer(opts);
  ASSERT_EQ(consumer.MessageCount(queue), static_cast<std::uint32_t>(kThreads * kPerThread));
  std::vector<int> next(kThreads, 0);
  while (auto d = consumer.Get(queue)) {
    int t = std::stoi(d->body), i = std::stoi(d->body.substr(d->body.find(' ') + 1));
    EXPECT_EQ(i, next[t]) << "thread " << t;
    next[t] = i + 1;
    consumer.Ack(d->delivery_tag);
  }
}

// The broker goes away with messages unconfirmed or not yet sent: every one
// of them hears false within the deadline (the outbox keeps them), nothing
// hangs, and once the node is back the pipeline reconnects by itself.
TEST(AmqpPipeline, OutageFailsWhatIsPendingAndRecovers) {
  RabbitNode node;
  node.Start();
  auto opts = node.options();
  opts.deadline = milliseconds(1500);
  const std::string queue = "Debian_armel_pipe_deb", key = "Debian.armel.pipe.deb";
  auto publisher = MakeAmqpPublisher(opts, 1);
  std::atomic<int> confirmed{0}, refused{0};
  auto count = [&](bool ok) { ++(ok ? confirmed : refused); };
  publisher->PublishAsync({key, queue, "before"}, count);
  publisher->Drain(Clock::now() + std::chrono::seconds(5));
  EXPECT_EQ(confirmed, 1);

  node.Stop();
  auto start = Clock::now();
  for (int i = 0; i < 50; ++i) publisher->PublishAsync({key, queue, "while down"}, count);
  publisher->Drain(Clock::now() + std::chrono::seconds(10));
  EXPECT_EQ(refused, 50);
  EXPECT_LT(Clock::now() - start, opts.deadline + milliseconds(2000));

  node.Start();
  // Failed connects pause reconnecting for a second; keep offering.
  auto until = Clock::now() + std::chrono::seconds(10);
  while (confirmed < 2 && Clock::now() < until) {
    publisher->PublishAsync({key, queue, "after"}, count);
    publisher->Drain(Clock::now() + std::chrono::seconds(5));
    if (confirmed < 2) std::this_thread::sleep_for(milliseconds(200));
  }
  EXPECT_EQ(confirmed, 2);
  AmqpConsumer consumer(opts);
  EXPECT_EQ(consumer.MessageCount(queue), 2u);
}

// A broker restart while the pipeline is idle: it notices the close, and the
// next message goes out on a fresh connection and is confirmed, not failed
// over to the outbox relay.
TEST(AmqpPipeline, FirstMessageAfterABrokerRestartIsConfirmed) {
  RabbitNode node;
  node.Start();
  auto opts = node.options();
  const std::string queue = "Debian_armel_idle_deb", key = "Debian.armel.idle.deb";
  auto publisher = MakeAmqpPublisher(opts, 1);
  std::atomic<int> confirmed{0}, refused{0};
  auto count = [&](bool ok) { ++(ok ? confirmed : refused); };
  publisher->PublishAsync({key, queue, "before"}, count);
  publisher->Drain(Clock::now() + std::chrono::seconds(5));
  node.Restart();
  publisher->PublishAsync({key, queue, "after"}, count);
  publisher->Drain(Clock::now() + std::chrono::seconds(10));
  EXPECT_EQ(confirmed, 2);
  EXPECT_EQ(refused, 0);
}

}  // namespace
}  // namespace cbit::queue
