#include "peercheck/await.h"

#include <gtest/gtest.h>

#include <deque>

#include "util/json_config.h"
#include "util/process.h"

namespace cbit::peercheck {
namespace {

using namespace std::chrono_literals;

// A peer that answers from a script, and a sleep that only counts.
struct Scripted {
  std::deque<Answer> answers;
  int tries = 0;
  std::chrono::milliseconds slept{0};

  Peer peer() {
    return {"the thing at x:1", "thing_url", [this] {
              ++tries;
              Answer a = answers.front();
              if (answers.size() > 1) answers.pop_front();
              return a;
            }};
  }
  WaitPolicy policy(std::chrono::milliseconds wait) {
    WaitPolicy p;
    p.wait = wait;
    p.interval = 1000ms;
    p.wait_setting = "startup_wait_seconds";
    p.sleep = [this](std::chrono::milliseconds d) { slept += d; };
    return p;
  }
};

TEST(PeerAwait, AReadyPeerIsTriedOnce) {
  Scripted s{{{State::kReady, ""}}};
  EXPECT_TRUE(Await(s.peer(), s.policy(10s)));
  EXPECT_EQ(s.tries, 1);
  EXPECT_EQ(s.slept, 0ms);
}

TEST(PeerAwait, AnUnreachablePeerIsWaitedForUntilItAnswers) {
  Scripted s{
      {{State::kUnreachable, "refused"}, {State::kUnreachable, "refused"}, {State::kReady, ""}}};
  EXPECT_TRUE(Await(s.peer(), s.policy(10s)));
  EXPECT_EQ(s.tries, 3);
  EXPECT_EQ(s.slept, 2000ms);
}

TEST(PeerAwait, APeerStillUnreachableAfterTheWaitFailsTheStartNamingItAndTheSetting) {
  Scripted s{{{State::kUnreachable, "Connection refused"}}};
  try {
    Await(s.peer(), s.policy(3s));
    FAIL() << "no error";
  } catch (const process::StartupError& e) {
    const std::string m = e.what();
    EXPECT_NE(m.find("thing_url"), std::string::npos) << m;
    EXPECT_NE(m.find("the thing at x:1 unreachable for 3 s"), std::string::npos) << m;
    EXPECT_NE(m.find("startup_wait_seconds"), std::string::npos) << m;
    EXPECT_NE(m.find("Connection refused"), std::string::npos) << m;
  }
  EXPECT_EQ(s.tries, 4);  // at 0, 1, 2 and 3 s
  EXPECT_EQ(s.slept, 3000ms);
}

TEST(PeerAwait, ARefusalEndsTheWaitAtOnceAsAConfigError) {
  Scripted s{{{State::kUnreachable, "down"}, {State::kRefused, "ACCESS_REFUSED"}}};
  try {
    Await(s.peer(), s.policy(60s));
    FAIL() << "no error";
  } catch (const ConfigError& e) {
    EXPECT_STREQ(e.what(), "thing_url: the thing at x:1 refused: ACCESS_REFUSED");
  }
  EXPECT_EQ(s.tries, 2);
}

TEST(PeerAwait, NoWaitTriesOnce) {
  Scripted s{{{State::kUnreachable, "down"}}};
  EXPECT_THROW(Await(s.peer(), s.policy(0s)), process::StartupError);
  EXPECT_EQ(s.tries, 1);
}

TEST(PeerAwait, AStopEndsTheWait) {
  std::atomic<bool> stop{false};
  Scripted s{{{State::kUnreachable, "down"}}};
  WaitPolicy p = s.policy(60s);
  p.stop = &stop;
  p.sleep = [&](std::chrono::milliseconds) { stop = true; };
  EXPECT_FALSE(Await(s.peer(), p));
  EXPECT_EQ(s.tries, 1);
}

TEST(PeerAwait, PeersOfOneStartShareTheWait) {
  Scripted first{
      {{State::kUnreachable, "down"}, {State::kUnreachable, "down"}, {State::kReady, ""}}};
  Scripted second{{{State::kUnreachable, "down"}}};
  WaitPolicy p = first.policy(3s);
  p.sleep = [&](std::chrono::milliseconds d) { first.slept += d; };
  try {
    AwaitAll({first.peer(), second.peer()}, p);
    FAIL() << "no error";
  } catch (const process::StartupError& e) {
    EXPECT_NE(std::string(e.what()).find("unreachable for 3 s"), std::string::npos) << e.what();
  }
  EXPECT_EQ(first.tries, 3);
  EXPECT_EQ(second.tries, 2);  // at 2 s and 3 s
  EXPECT_EQ(first.slept, 3000ms);
}

TEST(PeerCheckOnce, WarnsOfAnUnreachablePeerAndRefusesARefusal) {
  Scripted down{{{State::kUnreachable, "down"}}};
  EXPECT_FALSE(CheckOnce(down.peer()));
  Scripted no{{{State::kRefused, "401"}}};
  EXPECT_THROW(CheckOnce(no.peer()), ConfigError);
  Scripted up{{{State::kReady, ""}}};
  EXPECT_TRUE(CheckOnce(up.peer()));
}

}  // namespace
}  // namespace cbit::peercheck
