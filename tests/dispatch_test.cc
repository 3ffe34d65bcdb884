// Dispatch through a real RabbitMQ node: a submission's BuildRequest sits in
// its durable queue as a persistent message, a job is never lost when the
// broker is down or the controller dies between commit and confirm, and a
// client's liveness is read from its command queue.
#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "core/wire.h"
#include "queue/consumer.h"
#include "queue/fake_publisher.h"
#include "tests/support/controller_harness.h"
#include "tests/support/databases.h"
#include "tests/support/rabbitmq.h"

namespace cbit::testing {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

// A catalog with one suite of its own per test, so queues never mix.
void Seed(ControllerHarness& h, const std::string& suite) {
  auto put = [&](const std::string& path, const std::string& body) {
    auto r = h.admin().Put(path, body, "application/x-www-form-urlencoded");
    ASSERT_TRUE(r);
    ASSERT_EQ(r->status, 200) << path << " " << body << ": " << r->body;
  };
  put("/dist", "name=Debian");
  put("/format", "name=deb");
  put("/arch", "name=amd64");
  put("/suite", "name=" + suite);
  put("/suitearch", "suite=" + suite + "&arch=amd64&master_weight=1");
}

httplib::Result Submit(ControllerHarness& h, const std::string& suite, const std::string& version) {
  return h.admin().Post("/job/vcshook",
                        FormBody({{"package", "hello"},
                                  {"package_version", version},
                                  {"suite", suite},
                                  {"distribution", "Debian"},
                                  {"architecture_list", "any"},
                                  {"format", "deb"},
                                  {"method", "git"},
                                  {"uri", "https://git.example/hello.git"},
                                  {"vcs_id", "abc123"}}),
                        "application/x-www-form-urlencoded");
}

// Waits (bounded) until `queue` holds `n` messages.
bool WaitForMessages(const queue::AmqpOptions& opts, const std::string& queue, std::uint32_t n,
                     seconds limit = seconds(30)) {
  auto until = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < until) {
    try {
      queue::AmqpConsumer c(opts);
      if (c.MessageCount(queue).value_or(0) >= n) return true;
    } catch (const queue::BrokerError&) {
    }
    std::this_thread::sleep_for(milliseconds(100));
  }
  return false;
}

class Dispatch : public ::testing::TestWithParam<std::string> {};

// controller.wait_for_confirm: the answer comes after the broker's confirm,
// so the message is in its queue by then.
TEST_P(Dispatch, SubmissionIsAPersistentMessageInItsQueueWhenAnswered) {
  auto opts = SharedRabbit().options();
  auto publisher = queue::MakeAmqpPublisher(opts, 2);
  ControllerHarness h(OpenTestDatabase(GetParam()), *publisher, "localhost:18080", {}, {},
                      /*wait_for_confirm=*/true);
  const std::string suite = "disp" + GetParam();
  Seed(h, suite);
  auto r = Submit(h, suite, "1.0-1");
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200) << r->body;
  EXPECT_NE(r->body.find("\"dispatched\": true"), std::string::npos) << r->body;

  queue::AmqpConsumer consumer(opts);
  const std::string q = "Debian_amd64_" + suite + "_deb";
  auto d = consumer.Get(q);
  ASSERT_TRUE(d.has_value());
  consumer.Ack(d->delivery_tag);
  EXPECT_EQ(d->routing_key, "Debian.amd64." + suite + ".deb");
  EXPECT_EQ(d->exchange, "pybit");
  EXPECT_EQ(d->delivery_mode, 2);
  EXPECT_EQ(d->content_encoding, "UTF-8");
  BuildRequest br = wire::DecodeBuildRequest(d->body);
  EXPECT_EQ(br.job.instance.package.name, "hello");
  EXPECT_EQ(br.transport.vcs_id, "abc123");
  EXPECT_EQ(br.web_host, "localhost:18080");
  // The outbox row goes once confirmed.
  auto until = std::chrono::steady_clock::now() + seconds(10);
  while (!h.store().PendingOutbox(INT64_MAX, 10).empty() &&
         std::chrono::steady_clock::now() < until)
    std::this_thread::sleep_for(milliseconds(20));
  EXPECT_TRUE(h.store().PendingOutbox(INT64_MAX, 10).empty());
}

// The default: answered once committed and sent; the confirm comes after,
// many submissions share the broker's confirms, and every outbox row goes
// once its message is confirmed.
TEST_P(Dispatch, ConcurrentSubmissionsAreAllConfirmedAfterTheAnswer) {
  auto opts = SharedRabbit().options();
  auto publisher = queue::MakeAmqpPublisher(opts, 2);
  ControllerHarness h(OpenTestDatabase(GetParam()), *publisher);
  const std::string suite = "pipe" + GetParam();
  Seed(h, suite);
  constexpr int kThreads = 4, kEach = 25;
  std::vector<std::thread> threads;
  std::atomic<int> ok{0};
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      httplib::Client c("127.0.0.1", h.port());
      c.set_basic_auth(kAdminUser, kAdminPassword);
      for (int i = 0; i < kEach; ++i) {
        auto r = c.Post("/job/vcshook",
                        FormBody({{"package", "p" + std::to_string(t * kEach + i)},
                                  {"package_version", "1.0-1"},
                                  {"uri", "https://git.example/p.git"},
                                  {"vcs_id", "abc123"},
                                  {"architecture_list", "amd64"},
                                  {"method", "git"},
                                  {"distribution", "Debian"},
                                  {"format", "deb"},
                                  {"suite", suite}}),
                        "application/x-www-form-urlencoded");
        if (r && r->status == 200 && r->body.find("\"dispatched\": true") != std::string::npos)
          ++ok;
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(ok, kThreads * kEach);
  const std::string q = "Debian_amd64_" + suite + "_deb";
  ASSERT_TRUE(WaitForMessages(opts, q, kThreads * kEach));
  auto until = std::chrono::steady_clock::now() + seconds(10);
  while (!h.store().PendingOutbox(INT64_MAX, 10).empty() &&
         std::chrono::steady_clock::now() < until)
    std::this_thread::sleep_for(milliseconds(20));
  EXPECT_TRUE(h.store().PendingOutbox(INT64_MAX, 10).empty());
  queue::AmqpConsumer consumer(opts);
  EXPECT_EQ(consumer.MessageCount(q).value_or(0), static_cast<std::uint32_t>(kThreads * kEach));
}

TEST_P(Dispatch, CancelRequestReachesTheBuildingClientActiveWhileHeardFrom) {
  auto opts = SharedRabbit().options();
  auto publisher = queue::MakeAmqpPublisher(opts, 2);
  ControllerHarness h(OpenTestDatabase(GetParam()), *publisher);
  const std::string suite = "cancel" + GetParam();
  const std::string client = "build_client_" + GetParam();
  Seed(h, suite);
  auto status = h.anon().Get("/buildd/" + client + "/status");
  ASSERT_TRUE(status);
  EXPECT_EQ(status->body, "Not Active");

  queue::AmqpConsumer consumer(opts);
  consumer.DeclareAndBind(client, client);  // what a client does at start-up
  // A queue outlives its client: only hearing from the client counts.
  status = h.anon().Get("/buildd/" + client + "/status");
  ASSERT_TRUE(status);
  EXPECT_EQ(status->body, "Not Active");
  auto heartbeat =
      h.admin().Put("/buildd/" + client + "/heartbeat", "", "application/x-www-form-urlencoded");
  ASSERT_EQ(heartbeat->status, 200) << heartbeat->body;
  status = h.anon().Get("/buildd/" + client + "/status");
  ASSERT_TRUE(status);
  EXPECT_EQ(status->body, "Active");

  ASSERT_EQ(Submit(h, suite, "1.0-1")->status, 200);
  auto building = h.admin().Put("/job/1", "status=Building&client=" + client,
                                "application/x-www-form-urlencoded");
  ASSERT_EQ(building->status, 200) << building->body;
  auto cancel = h.admin().Get("/job/1/cancel");
  ASSERT_TRUE(cancel);
  EXPECT_EQ(cancel->status, 200);
  EXPECT_NE(cancel->body.find("CancelRequested"), std::string::npos) << cancel->body;

  ASSERT_TRUE(WaitForMessages(opts, client, 1));  // sent after the answer
  auto d = consumer.Get(client);
  ASSERT_TRUE(d.has_value());
  consumer.Ack(d->delivery_tag);
  CancelRequest c = wire::DecodeCancelRequest(d->body);
  EXPECT_EQ(c.job.id, 1);
  EXPECT_EQ(c.job.buildclient->name, client);
  // Still Building until the client reports Cancelled.
  EXPECT_EQ(h.store().GetJob(1).status, "Building");
}

// The broker is down when the job is submitted: the job is recorded, the
// answer says it is not dispatched yet, and once the node is back the relay
// publishes it without anyone asking.
TEST_P(Dispatch, JobSubmittedWhileTheBrokerIsDownReachesItsQueueWhenItIsBack) {
  RabbitNode node;
  node.Start();
  auto opts = node.options();
  opts.deadline = milliseconds(1000);
  auto publisher = queue::MakeAmqpPublisher(opts, 2);
  // Waiting for confirms, the answer can tell that the broker is down.
  ControllerHarness h(OpenTestDatabase(GetParam()), *publisher, "localhost:18080", {}, {},
                      /*wait_for_confirm=*/true);
  const std::string suite = "outage";
  Seed(h, suite);

  node.Stop();
  auto r = Submit(h, suite, "2.0-1");
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200) << r->body;
  EXPECT_NE(r->body.find("\"dispatched\": false"), std::string::npos) << r->body;
  EXPECT_EQ(h.store().GetJob(1).status, "Waiting");
  EXPECT_EQ(h.store().PendingOutbox(INT64_MAX, 10).size(), 1u);

  node.Start();
  const std::string q = "Debian_amd64_" + suite + "_deb";
  ASSERT_TRUE(WaitForMessages(opts, q, 1)) << "the relay did not re-publish";
  queue::AmqpConsumer consumer(opts);
  auto d = consumer.Get(q);
  ASSERT_TRUE(d.has_value());
  EXPECT_EQ(wire::DecodeBuildRequest(d->body).job.id, 1);
  consumer.Ack(d->delivery_tag);
  node.Stop();
}

// The controller dies after the commit, before any confirm (a broker that
// never answered, then the process gone): the next controller on the same
// database publishes the recorded request at start-up.
TEST_P(Dispatch, RecordedButUnconfirmedJobIsPublishedByTheNextController) {
  auto opts = SharedRabbit().options();
  const std::string suite = "restart" + GetParam();
  std::unique_ptr<store::Database> db = OpenTestDatabase(GetParam());
  store::Database* raw = db.get();
  // The test keeps the database alive across both controllers.
  struct Borrowed : store::Database {
    explicit Borrowed(store::Database& d) : d_(d) {}
    const store::Capabilities& capabilities() const override { return d_.capabilities(); }
    Lease Acquire() override { return d_.Acquire(); }
    void Release(std::unique_ptr<store::Connection>) override {}
    store::Database& d_;
  };
  {
    queue::FakePublisher down;
    down.SetDown(true);
    ControllerHarness first(std::make_unique<Borrowed>(*raw), down);
    Seed(first, suite);
    auto r = Submit(first, suite, "3.0-1");
    ASSERT_EQ(r->status, 200) << r->body;
  }
  auto publisher = queue::MakeAmqpPublisher(opts, 2);
  ControllerHarness second(std::make_unique<Borrowed>(*raw), *publisher);
  const std::string q = "Debian_amd64_" + suite + "_deb";
  ASSERT_TRUE(WaitForMessages(opts, q, 1)) << "start-up relay did not publish";
  queue::AmqpConsumer consumer(opts);
  auto d = consumer.Get(q);
  ASSERT_TRUE(d.has_value());
  EXPECT_EQ(wire::DecodeBuildRequest(d->body).job.instance.package.version, "3.0-1");
  consumer.Ack(d->delivery_tag);
}

INSTANTIATE_TEST_SUITE_P(Stores, Dispatch, ::testing::Values("sqlite", "postgres"));

}  // namespace
}  // namespace cbit::testing
