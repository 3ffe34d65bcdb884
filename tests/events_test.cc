// GET /events end to end: the real HTTP server, store and job logic of
// cbit-web on SQLite and PostgreSQL, read by a plain socket.
#include <gtest/gtest.h>

#include <atomic>
#include <nlohmann/json.hpp>
#include <set>
#include <thread>
#include <tuple>

#include "queue/fake_publisher.h"
#include "store/db.h"
#include "tests/support/controller_harness.h"
#include "tests/support/databases.h"
#include "tests/support/postgres.h"
#include "tests/support/sse_client.h"

namespace cbit::testing {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;

constexpr const char* kForm = "application/x-www-form-urlencoded";

std::vector<SseEvent> JobEvents(const std::vector<SseEvent>& all) {
  std::vector<SseEvent> out;
  for (const auto& e : all)
    if (e.name == "created" || e.name == "status") out.push_back(e);
  return out;
}

std::string Summary(const std::vector<SseEvent>& events) {
  std::string s;
  for (const auto& e : events) s += e.id + " " + e.name + " " + e.data + "\n";
  return s;
}

// Reads events into `got` until it holds `n` job events (ASSERTs: call
// through ASSERT_NO_FATAL_FAILURE).
void ReadJobEvents(SseClient& s, std::size_t n, std::vector<SseEvent>& got,
                   std::chrono::milliseconds wait = 10s) {
  while (JobEvents(got).size() < n) {
    auto e = s.Next(wait);
    ASSERT_TRUE(e) << Summary(got);
    got.push_back(*e);
  }
}

class Events : public ::testing::TestWithParam<std::string> {
 public:
  void SetUp() override { Start(); }
  void Start(const std::function<void(web::Config&)>& tune = {}) {
    h_.reset();
    h_ = std::make_unique<ControllerHarness>(OpenTestDatabase(GetParam()), publisher_,
                                             "localhost:18080", web::WebhookConfig{}, "", false,
                                             tune);
    ASSERT_NO_FATAL_FAILURE(Targets(*h_));
  }
  static void Targets(ControllerHarness& h) {
    for (auto [path, body] : std::vector<std::pair<std::string, std::string>>{
             {"/dist", "name=Debian"},
             {"/format", "name=deb"},
             {"/arch", "name=amd64"},
             {"/arch", "name=i386"},
             {"/suite", "name=bookworm"},
             {"/suitearch", "suite=bookworm&arch=amd64&master_weight=1"},
             {"/suitearch", "suite=bookworm&arch=i386&master_weight=0"}}) {
      auto r = h.admin().Put(path, body, kForm);
      ASSERT_TRUE(r && r->status == 200) << path;
    }
  }
  // One job per arch (amd64, i386): their ids.
  static std::vector<Id> Submit(ControllerHarness& h, const std::string& name,
                                const std::string& version = "1.0") {
    auto r = h.admin().Post("/job/vcshook",
                            FormBody({{"package", name},
                                      {"package_version", version},
                                      {"suite", "bookworm"},
                                      {"distribution", "Debian"},
                                      {"architecture_list", "any"},
                                      {"format", "deb"},
                                      {"method", "git"},
                                      {"uri", "https://git.example/" + name + ".git"},
                                      {"vcs_id", "v" + version}}),
                            kForm);
    EXPECT_TRUE(r && r->status == 200) << (r ? r->body : "no answer");
    std::vector<Id> ids;
    if (!r || r->status != 200) return ids;
    const json answer = json::parse(r->body);
    for (const auto& j : answer["jobs"]) ids.push_back(j.get<Id>());
    return ids;
  }
  static void Report(ControllerHarness& h, Id job, const std::string& status,
                     const std::string& client = "c1") {
    auto r = h.admin().Put("/job/" + std::to_string(job), "status=" + status + "&client=" + client,
                           kForm);
    ASSERT_TRUE(r && r->status == 200) << (r ? r->body : "no answer");
  }
  std::unique_ptr<SseClient> Stream(const std::string& target = "/events",
                                    const std::vector<std::string>& headers = {}) {
    auto s = std::make_unique<SseClient>(h_->port(), target, headers);
    EXPECT_EQ(s->status(), 200) << s->head();
    return s;
  }
  queue::FakePublisher publisher_;
  std::unique_ptr<ControllerHarness> h_;
};

TEST_P(Events, ASubmissionsCreatedAndStatusEventsArriveInOrder) {
  auto s = Stream();
  EXPECT_NE(s->head().find("Content-Type: text/event-stream"), std::string::npos) << s->head();
  EXPECT_NE(s->head().find("Access-Control-Allow-Origin: *"), std::string::npos) << s->head();
  auto ready = s->Until("ready");
  ASSERT_FALSE(ready.empty());
  ASSERT_EQ(ready.back().name, "ready");
  auto jobs = Submit(*h_, "hello");
  ASSERT_EQ(jobs.size(), 2u);
  Report(*h_, jobs[0], "Building");
  Report(*h_, jobs[0], "Done");
  std::vector<SseEvent> got;
  ASSERT_NO_FATAL_FAILURE(ReadJobEvents(*s, 4, got));
  auto events = JobEvents(got);
  ASSERT_EQ(events.size(), 4u) << Summary(got);
  std::vector<std::string> seen;
  for (std::size_t i = 0; i < events.size(); ++i) {
    json d = json::parse(events[i].data);
    seen.push_back(events[i].name + " " + std::to_string(d["job"].get<Id>()) + " " +
                   d["status"].get<std::string>());
    EXPECT_EQ(d["id"].get<Id>(), std::stoll(events[i].id));
    EXPECT_EQ(d["package"], "hello");
    EXPECT_EQ(d["version"], "1.0");
    EXPECT_EQ(d["suite"], "bookworm");
    EXPECT_EQ(d["dist"], "Debian");
    EXPECT_EQ(d["format"], "deb");
    if (i > 0) {
      EXPECT_GT(std::stoll(events[i].id), std::stoll(events[i - 1].id));
    }
  }
  const std::string a = std::to_string(jobs[0]), b = std::to_string(jobs[1]);
  EXPECT_EQ(seen,
            (std::vector<std::string>{"created " + a + " Waiting", "created " + b + " Waiting",
                                      "status " + a + " Building", "status " + a + " Done"}))
      << Summary(got);
  EXPECT_EQ(json::parse(events[2].data)["client"], "c1");
  EXPECT_EQ(json::parse(events[0].data)["arch"], "amd64");
}

TEST_P(Events, AReconnectWithLastEventIdGetsExactlyTheMissedEvents) {
  auto watcher = Stream();  // stays connected throughout
  watcher->Until("ready");
  auto jobs = Submit(*h_, "resume");
  Id last_seen = 0;
  {
    auto first = Stream();
    first->Until("ready");
    Report(*h_, jobs[0], "Building");
    auto e = first->Next();
    while (e && e->name == "client") e = first->Next();
    ASSERT_TRUE(e);
    ASSERT_EQ(e->name, "status");
    last_seen = std::stoll(e->id);
  }  // the page goes away
  Report(*h_, jobs[0], "Failed");
  Report(*h_, jobs[1], "Building", "c2");
  Report(*h_, jobs[1], "Done", "c2");
  std::vector<SseEvent> all;
  while (JobEvents(all).size() < 6) {
    auto e = watcher->Next();
    ASSERT_TRUE(e) << Summary(all);
    all.push_back(*e);
  }
  std::vector<std::string> missed;
  for (const auto& e : JobEvents(all))
    if (std::stoll(e.id) > last_seen) missed.push_back(e.id + " " + e.data);
  ASSERT_EQ(missed.size(), 3u) << Summary(all);

  for (const auto& [target, headers] :
       std::vector<std::pair<std::string, std::vector<std::string>>>{
           {"/events", {"Last-Event-ID: " + std::to_string(last_seen)}},
           {"/events?since=" + std::to_string(last_seen), {}}}) {
    auto again = Stream(target, headers);
    auto replay = again->Until("ready");
    std::vector<std::string> got;
    for (const auto& e : JobEvents(replay)) got.push_back(e.id + " " + e.data);
    EXPECT_EQ(got, missed) << target << "\n" << Summary(replay);
    ASSERT_FALSE(replay.empty());
    EXPECT_EQ(replay.back().id, JobEvents(all).back().id);
  }
}

TEST_P(Events, AnIdTooOldToResumeGetsReset) {
  ASSERT_NO_FATAL_FAILURE(Start([](web::Config& c) { c.events_kept = 2; }));
  auto s = Stream();
  s->Until("ready");
  auto jobs = Submit(*h_, "old");
  Report(*h_, jobs[0], "Building");
  Report(*h_, jobs[0], "Done");
  std::vector<SseEvent> got;
  ASSERT_NO_FATAL_FAILURE(ReadJobEvents(*s, 4, got));
  auto again = Stream("/events?since=" + JobEvents(got)[0].id);
  auto replay = again->Until("ready");
  ASSERT_GE(replay.size(), 2u) << Summary(replay);
  EXPECT_EQ(replay[0].name, "reset") << Summary(replay);
  EXPECT_TRUE(JobEvents(replay).empty()) << Summary(replay);
  EXPECT_EQ(replay[0].id, replay.back().id);
}

TEST_P(Events, FiltersChooseTheEvents) {
  auto by_package = Stream("/events?package=second");
  auto by_client = Stream("/events?client=c9");
  // Each stream sees what happens after its ready (a busy machine may
  // take a while to open them).
  by_package->Until("ready");
  by_client->Until("ready");
  auto a = Submit(*h_, "first");
  auto b = Submit(*h_, "second");
  auto by_job = Stream("/events?job=" + std::to_string(a[1]) + "," + std::to_string(b[1]));
  by_job->Until("ready");
  Report(*h_, a[0], "Building", "c9");
  Report(*h_, a[1], "Building", "c1");
  Report(*h_, b[1], "Building", "c1");
  auto pkg = JobEvents(by_package->Until("status"));
  ASSERT_EQ(pkg.size(), 3u) << Summary(pkg);
  for (const auto& e : pkg) EXPECT_EQ(json::parse(e.data)["package"], "second");
  EXPECT_EQ(json::parse(pkg[2].data)["job"], b[1]);
  std::vector<SseEvent> jobs;
  while (jobs.size() < 2) {
    auto e = by_job->Next();
    ASSERT_TRUE(e) << Summary(jobs);
    if (e->name != "ready") jobs.push_back(*e);
  }
  EXPECT_EQ(json::parse(jobs[0].data)["job"], a[1]) << Summary(jobs);
  EXPECT_EQ(json::parse(jobs[1].data)["job"], b[1]) << Summary(jobs);
  // c9's job event and c9's state; nothing of c1.
  std::vector<SseEvent> c9;
  while (c9.size() < 2) {
    auto e = by_client->Next();
    ASSERT_TRUE(e) << Summary(c9);
    c9.push_back(*e);
  }
  bool job_event = false, client_event = false;
  for (const auto& e : c9) {
    if (e.name == "ready") continue;
    json d = json::parse(e.data);
    if (e.name == "status") job_event = d["job"] == a[0] && d["client"] == "c9";
    if (e.name == "client") {
      EXPECT_EQ(d["client"], "c9");
      client_event = true;
    }
  }
  EXPECT_TRUE(job_event) << Summary(c9);
  EXPECT_TRUE(client_event) << Summary(c9);
}

TEST_P(Events, BadRequestsAreRefusedWithTheirReason) {
  for (const auto& [target, header, reason] :
       std::vector<std::tuple<std::string, std::string, std::string>>{
           {"/events?job=abc", "", "job 'abc' is not a job id"},
           {"/events?job=0", "", "job '0' is not a job id"},
           {"/events?jobs=1", "", "unknown parameter 'jobs'"},
           {"/events?since=-1", "", "since '-1' is not an event id"},
           {"/events?package=", "", "package must be 1 to 256 bytes"},
           {"/events", "Last-Event-ID: x", "Last-Event-ID 'x' is not an event id"}}) {
    std::vector<std::string> headers;
    if (!header.empty()) headers.push_back(header);
    SseClient s(h_->port(), target, headers);
    EXPECT_EQ(s.status(), 400) << target;
    EXPECT_NE(s.Body().find(reason), std::string::npos) << target << ": " << s.Body();
  }
  std::string many = "/events?job=1";
  for (int i = 2; i <= 101; ++i) many += "," + std::to_string(i);
  SseClient s(h_->port(), many);
  EXPECT_EQ(s.status(), 400);
}

TEST_P(Events, ReadsFollowAuthReads) {
  ASSERT_NO_FATAL_FAILURE(Start([](web::Config& c) { c.auth_reads = true; }));
  SseClient anon(h_->port(), "/events");
  EXPECT_EQ(anon.status(), 401);
  // "admin:test-password"
  SseClient admin(h_->port(), "/events", {"Authorization: Basic YWRtaW46dGVzdC1wYXNzd29yZA=="});
  EXPECT_EQ(admin.status(), 200) << admin.head();
  EXPECT_EQ(admin.Until("ready").back().name, "ready");
}

TEST_P(Events, IdleStreamsGetKeepAliveComments) {
  ASSERT_NO_FATAL_FAILURE(Start([](web::Config& c) { c.events_keepalive = 1; }));
  auto s = Stream();
  s->Until("ready");
  EXPECT_FALSE(s->Next(2500ms));
  EXPECT_GE(s->comments(), 1);
}

// A client that stops reading is disconnected once its unread backlog
// passes web.stream_backlog; a reader beside it gets every event.
TEST_P(Events, AStalledReaderIsDroppedAndOthersAreNot) {
  ASSERT_NO_FATAL_FAILURE(Start([](web::Config& c) { c.stream_backlog = 16384; }));
  auto reader = Stream();
  reader->Until("ready");
  SseClient stalled(h_->port(), "/events", {}, /*rcvbuf=*/2048, /*read_head=*/false);
  // Let the stalled stream start before events come.
  for (int i = 0; i < 200 && h_->events().streams() < 2; ++i) std::this_thread::sleep_for(10ms);
  ASSERT_EQ(h_->events().streams(), 2u);
  std::size_t jobs = 0, created = 0;
  int rounds = 0;
  for (; rounds < 150 && h_->events().streams() == 2; ++rounds) {
    for (int i = 0; i < 10; ++i) jobs += Submit(*h_, "p" + std::to_string(rounds * 10 + i)).size();
    while (created < jobs) {  // keep the good reader current
      auto e = reader->Next();
      ASSERT_TRUE(e) << "after " << created << " of " << jobs;
      if (e->name == "created") ++created;
    }
  }
  EXPECT_LT(rounds, 150) << "the stalled stream was never dropped";
  EXPECT_TRUE(stalled.ClosedWithin(10s));
  EXPECT_EQ(h_->events().streams(), 1u);
  // The reader still gets new events.
  Submit(*h_, "after");
  auto e = reader->Next();
  while (e && e->name != "created") e = reader->Next();
  ASSERT_TRUE(e);
  EXPECT_EQ(json::parse(e->data)["package"], "after");
}

INSTANTIATE_TEST_SUITE_P(Stores, Events, ::testing::Values("sqlite", "postgres"));

// Two controllers on one PostgreSQL database: what one records reaches the
// other's streams.
TEST(EventsAcrossControllers, AChangeThroughOneReachesTheOthersStream) {
  const std::string conninfo = FreshPostgresDatabase();
  queue::FakePublisher publisher;
  ControllerHarness one(store::OpenPostgres({.conninfo = conninfo}), publisher);
  ASSERT_NO_FATAL_FAILURE(Events::Targets(one));
  // Long poll interval: the status change must come by NOTIFY.
  ControllerHarness two(store::OpenPostgres({.conninfo = conninfo}), publisher, "localhost:18080",
                        {}, "", false, [](web::Config& c) { c.events_poll_ms = 60000; });
  SseClient s(two.port(), "/events");
  ASSERT_EQ(s.status(), 200);
  s.Until("ready");
  auto jobs = Events::Submit(one, "across");
  ASSERT_EQ(jobs.size(), 2u);
  Events::Report(one, jobs[0], "Building");
  const auto start = std::chrono::steady_clock::now();
  std::vector<SseEvent> got;
  ASSERT_NO_FATAL_FAILURE(ReadJobEvents(s, 3, got, 5s));
  EXPECT_LT(std::chrono::steady_clock::now() - start, 5s);
  auto events = JobEvents(got);
  EXPECT_EQ(events[0].name, "created");
  EXPECT_EQ(events[1].name, "created");
  EXPECT_EQ(events[2].name, "status");
  EXPECT_EQ(json::parse(events[2].data)["job"], jobs[0]);
  EXPECT_EQ(json::parse(events[2].data)["status"], "Building");
}

// Concurrent writers on PostgreSQL (submissions, then status reports, each
// in a transaction of its own) commit their history ids out of order; a
// stream still gets every event once, in id order.
TEST(EventsAcrossControllers, ConcurrentWritersLoseNoEvent) {
  const std::string conninfo = FreshPostgresDatabase();
  queue::FakePublisher publisher;
  ControllerHarness h(store::OpenPostgres({.conninfo = conninfo}), publisher);
  ASSERT_NO_FATAL_FAILURE(Events::Targets(h));
  SseClient s(h.port(), "/events");
  s.Until("ready");
  constexpr int kThreads = 6, kEach = 10, kFlips = 20;
  std::vector<std::thread> threads;
  std::vector<std::vector<Id>> ids(kThreads);
  std::atomic<std::size_t> reported{0};
  for (int t = 0; t < kThreads; ++t)
    threads.emplace_back([&, t] {
      httplib::Client c("127.0.0.1", h.port());
      c.set_basic_auth(kAdminUser, kAdminPassword);
      for (int i = 0; i < kEach; ++i) {
        auto r = c.Post("/job/vcshook",
                        FormBody({{"package", "c" + std::to_string(t) + "-" + std::to_string(i)},
                                  {"package_version", "1.0"},
                                  {"suite", "bookworm"},
                                  {"distribution", "Debian"},
                                  {"architecture_list", "any"},
                                  {"format", "deb"},
                                  {"method", "git"},
                                  {"uri", "https://git.example/x.git"},
                                  {"vcs_id", "v1"}}),
                        kForm);
        if (!r || r->status != 200) continue;
        const json answer = json::parse(r->body);
        for (const auto& j : answer["jobs"]) ids[t].push_back(j.get<Id>());
      }
      if (ids[t].empty()) return;
      const std::string path = "/job/" + std::to_string(ids[t][0]);
      const std::string client = "client=c" + std::to_string(t);
      for (int i = 0; i < kFlips; ++i) {
        for (const char* status : {"status=Building&", "status=Waiting&"}) {
          auto r = c.Put(path, status + client, kForm);
          if (r && r->status == 200) {
            ++reported;
          } else {
            ADD_FAILURE() << (r ? r->body : "no answer");
          }
        }
      }
    });
  for (auto& t : threads) t.join();
  std::set<Id> expected;
  for (const auto& v : ids) expected.insert(v.begin(), v.end());
  ASSERT_EQ(expected.size(), std::size_t{kThreads * kEach * 2});
  std::set<Id> created;
  std::set<Id> event_ids;
  std::size_t statuses = 0;
  Id last = 0;
  while (created.size() < expected.size() || statuses < reported) {
    auto e = s.Next(10s);
    ASSERT_TRUE(e) << created.size() << " of " << expected.size() << " created, " << statuses
                   << " of " << reported << " statuses";
    if (e->name != "created" && e->name != "status") continue;
    const Id id = std::stoll(e->id);
    EXPECT_GT(id, last);
    last = id;
    EXPECT_TRUE(event_ids.insert(id).second);
    if (e->name == "status") ++statuses;
    if (e->name == "created") {
      EXPECT_TRUE(created.insert(json::parse(e->data)["job"].get<Id>()).second);
    }
  }
  EXPECT_EQ(created, expected);
}

}  // namespace
}  // namespace cbit::testing
