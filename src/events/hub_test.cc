#include "events/hub.h"

#include <gtest/gtest.h>

#include <thread>

namespace cbit::events {
namespace {

using namespace std::chrono_literals;

class FakeSource : public Source {
 public:
  store::JobEventBatch JobEventsAfter(Id after, int limit) override {
    std::lock_guard lock(mu_);
    ++reads_;
    store::JobEventBatch b;
    for (const auto& e : events_)
      if (e.id > after && b.events.size() < static_cast<std::size_t>(limit)) b.events.push_back(e);
    return b;
  }
  Id LatestJobEvent() override {
    std::lock_guard lock(mu_);
    return events_.empty() ? 0 : events_.back().id;
  }
  std::vector<store::ClientState> ClientStates() override {
    std::lock_guard lock(mu_);
    ++reads_;
    return clients_;
  }
  void Add(Id id, Id job, const std::string& package, const std::string& status) {
    std::lock_guard lock(mu_);
    store::JobEvent e;
    e.id = id;
    e.job_id = job;
    e.package = package;
    e.status = status;
    events_.push_back(e);
  }
  void SetClients(std::vector<store::ClientState> c) {
    std::lock_guard lock(mu_);
    clients_ = std::move(c);
  }
  int reads() {
    std::lock_guard lock(mu_);
    return reads_;
  }

 private:
  std::mutex mu_;
  std::vector<store::JobEvent> events_;
  std::vector<store::ClientState> clients_;
  int reads_ = 0;
};

// A stream as the connection sees it: what was pushed, in order.
class Reader {
 public:
  Reader() : stream_(std::make_shared<httpd::PushStream>()) {
    stream_->Attach([this](std::optional<std::string> piece) {
      std::lock_guard lock(mu_);
      if (piece) text_ += *piece;
    });
  }
  // Gone before the hub (declared after it): its stream must not call back
  // into it when the hub closes the streams.
  ~Reader() { stream_->Detach(); }
  std::shared_ptr<httpd::PushStream> stream() { return stream_; }
  std::string text() {
    std::lock_guard lock(mu_);
    return text_;
  }
  bool WaitFor(const std::string& needle) {
    for (auto end = std::chrono::steady_clock::now() + 5s; std::chrono::steady_clock::now() < end;
         std::this_thread::sleep_for(2ms))
      if (text().find(needle) != std::string::npos) return true;
    return false;
  }

 private:
  std::shared_ptr<httpd::PushStream> stream_;
  std::mutex mu_;
  std::string text_;
};

HubOptions Fast() {
  HubOptions o;
  o.poll = 50ms;
  o.keepalive = 1h;
  return o;
}

TEST(Hub, AStreamFromNowGetsReadyThenNewEvents) {
  FakeSource src;
  src.Add(1, 1, "a", "Waiting");
  Hub hub(src, Fast());
  Reader r;
  hub.Subscribe(r.stream(), {}, std::nullopt);
  ASSERT_TRUE(r.WaitFor("event: ready\ndata: {\"id\": 1}\n\n"));
  EXPECT_EQ(r.text().find("\"job\": 1"), std::string::npos);  // before it connected
  src.Add(2, 1, "a", "Building");
  hub.Wake();
  ASSERT_TRUE(r.WaitFor("id: 2\nevent: status\n"));
  EXPECT_EQ(r.text().rfind("retry: 2000\n\n", 0), 0u);
}

TEST(Hub, AResumingStreamGetsExactlyTheEventsAfterItsId) {
  FakeSource src;
  Hub hub(src, Fast());
  for (Id i = 1; i <= 5; ++i) src.Add(i, i, "a", "Waiting");
  hub.Wake();
  for (int i = 0; i < 500 && hub.cursor() < 5; ++i) std::this_thread::sleep_for(2ms);
  ASSERT_EQ(hub.cursor(), 5);
  Reader r;
  hub.Subscribe(r.stream(), {}, Id{3});
  ASSERT_TRUE(r.WaitFor("event: ready"));
  const std::string t = r.text();
  EXPECT_EQ(t.find("id: 3\n"), std::string::npos) << t;
  ASSERT_NE(t.find("id: 4\n"), std::string::npos) << t;
  ASSERT_NE(t.find("id: 5\n"), std::string::npos) << t;
  EXPECT_LT(t.find("id: 4\n"), t.find("id: 5\n"));
  EXPECT_LT(t.find("id: 5\n"), t.find("event: ready"));
  EXPECT_EQ(t.find("reset"), std::string::npos);
}

TEST(Hub, AnIdNoLongerKeptOrNeverSeenGetsReset) {
  FakeSource src;
  HubOptions o = Fast();
  o.kept = 2;
  Hub hub(src, o);
  for (Id i = 1; i <= 5; ++i) src.Add(i, i, "a", "Waiting");
  hub.Wake();
  for (int i = 0; i < 500 && hub.cursor() < 5; ++i) std::this_thread::sleep_for(2ms);
  Reader old, ok, future;
  hub.Subscribe(old.stream(), {}, Id{2});  // 3 was dropped: 3 and 4… cannot be replayed
  hub.Subscribe(ok.stream(), {}, Id{3});   // 4 and 5 are kept
  hub.Subscribe(future.stream(), {}, Id{9});
  ASSERT_TRUE(old.WaitFor("event: ready"));
  ASSERT_TRUE(ok.WaitFor("event: ready"));
  ASSERT_TRUE(future.WaitFor("event: ready"));
  EXPECT_NE(old.text().find("id: 5\nevent: reset\n"), std::string::npos) << old.text();
  EXPECT_EQ(old.text().find("event: created"), std::string::npos);
  EXPECT_EQ(ok.text().find("reset"), std::string::npos) << ok.text();
  EXPECT_NE(ok.text().find("id: 4\n"), std::string::npos);
  EXPECT_NE(future.text().find("event: reset"), std::string::npos);
}

TEST(Hub, AReplayLargerThanItsBudgetIsAReset) {
  FakeSource src;
  HubOptions o = Fast();
  o.replay_bytes = 600;
  Hub hub(src, o);
  for (Id i = 1; i <= 20; ++i) src.Add(i, i, "a", "Waiting");
  hub.Wake();
  for (int i = 0; i < 500 && hub.cursor() < 20; ++i) std::this_thread::sleep_for(2ms);
  Reader r;
  hub.Subscribe(r.stream(), {}, Id{0});
  ASSERT_TRUE(r.WaitFor("event: ready"));
  EXPECT_NE(r.text().find("event: reset"), std::string::npos);
  EXPECT_EQ(r.text().find("event: created"), std::string::npos);
}

TEST(Hub, FiltersChooseTheEventsOfAStream) {
  FakeSource src;
  src.SetClients({{1, "c1", 5, std::nullopt}});
  Hub hub(src, Fast());
  Reader all, job2, pkg_b, client1;
  hub.Subscribe(all.stream(), {}, std::nullopt);
  hub.Subscribe(job2.stream(), {.jobs = {2}}, std::nullopt);
  hub.Subscribe(pkg_b.stream(), {.packages = {"b"}}, std::nullopt);
  hub.Subscribe(client1.stream(), {.clients = {"c1"}}, std::nullopt);
  for (auto* r : {&all, &job2, &pkg_b, &client1}) ASSERT_TRUE(r->WaitFor("event: ready"));
  src.Add(1, 1, "a", "Waiting");
  src.Add(2, 2, "b", "Waiting");
  hub.Wake();
  ASSERT_TRUE(all.WaitFor("id: 2\n"));
  ASSERT_TRUE(job2.WaitFor("id: 2\n"));
  ASSERT_TRUE(pkg_b.WaitFor("id: 2\n"));
  ASSERT_TRUE(all.WaitFor("event: client"));
  ASSERT_TRUE(client1.WaitFor("event: client"));
  EXPECT_EQ(job2.text().find("id: 1\n"), std::string::npos);
  EXPECT_EQ(pkg_b.text().find("id: 1\n"), std::string::npos);
  EXPECT_EQ(job2.text().find("event: client"), std::string::npos);
  EXPECT_EQ(client1.text().find("event: created"), std::string::npos);  // no client on the jobs
  // A client's change reaches the streams that take clients, once.
  src.SetClients({{1, "c1", 6, Id{2}}});
  ASSERT_TRUE(all.WaitFor("\"job\": 2}"));
  ASSERT_TRUE(client1.WaitFor("\"job\": 2}"));
}

TEST(Hub, ClosedStreamsLeave) {
  FakeSource src;
  Hub hub(src, Fast());
  Reader a, b;
  hub.Subscribe(a.stream(), {}, std::nullopt);
  hub.Subscribe(b.stream(), {}, std::nullopt);
  ASSERT_TRUE(b.WaitFor("event: ready"));
  EXPECT_EQ(hub.streams(), 2u);
  a.stream()->Detach();  // the client went away
  src.Add(1, 1, "a", "Waiting");
  hub.Wake();
  ASSERT_TRUE(b.WaitFor("id: 1\n"));
  EXPECT_EQ(hub.streams(), 1u);
}

// One read per interval for all streams, however many: 50 streams polling
// for themselves would read at least 50 times per interval.
TEST(Hub, ReadsDoNotGrowWithStreams) {
  FakeSource src;
  Hub hub(src, Fast());
  std::vector<std::unique_ptr<Reader>> readers;
  for (int i = 0; i < 50; ++i) {
    readers.push_back(std::make_unique<Reader>());
    hub.Subscribe(readers.back()->stream(), {}, std::nullopt);
  }
  ASSERT_TRUE(readers.back()->WaitFor("event: ready"));
  const int before = src.reads();
  std::this_thread::sleep_for(500ms);  // 10 intervals
  EXPECT_LE(src.reads() - before, 2 * 10 + 8);
}

TEST(Hub, WithoutStreamsAndChangesItDoesNotRead) {
  FakeSource src;
  Hub hub(src, Fast());
  std::this_thread::sleep_for(200ms);
  EXPECT_EQ(src.reads(), 0);
}

// Changes nobody watches: the thread wakes for the first after a read,
// reads at the next poll, and is not woken by each of the others.
TEST(Hub, ChangesWithoutStreamsWakeTheThreadOncePerPoll) {
  FakeSource src;
  HubOptions o = Fast();
  o.poll = 1s;
  Hub hub(src, o);
  for (int i = 1; i <= 20; ++i) {
    src.Add(i, i, "p", "Waiting");
    hub.Wake();
    std::this_thread::sleep_for(10ms);
  }
  EXPECT_LE(hub.wakeups(), 4u);
  for (int i = 0; i < 300 && hub.cursor() < 20; ++i) std::this_thread::sleep_for(10ms);
  EXPECT_EQ(hub.cursor(), 20);  // read at the next poll all the same
}

TEST(Hub, IdleStreamsGetKeepAlives) {
  FakeSource src;
  HubOptions o = Fast();
  o.keepalive = 50ms;
  Hub hub(src, o);
  Reader r;
  hub.Subscribe(r.stream(), {}, std::nullopt);
  ASSERT_TRUE(r.WaitFor(": keep-alive\n\n"));
}

}  // namespace
}  // namespace cbit::events
