// The stored forge pushes (store/webhook_pushes.h) on both backends: the cap,
// claims in order, retries, giving up, and claims freed at start-up.
#include <gtest/gtest.h>

#include "store/webhook_pushes.h"
#include "tests/store_fixture.h"

namespace cbit::store {
namespace {

using WebhookPushTest = StoreTest;

PushRow Push(const std::string& after) {
  return {0, "github", "https://git.example/a.git", "refs/heads/main", std::string(40, '0'), after};
}

TEST_P(WebhookPushTest, PendingPushesAreCappedAndTakenInOrder) {
  WebhookPushes pushes(store_->db());
  ASSERT_TRUE(pushes.Add(Push("a1"), 2, 100));
  ASSERT_TRUE(pushes.Add(Push("b2"), 2, 101));
  EXPECT_FALSE(pushes.Add(Push("c3"), 2, 102)) << "a third push over a cap of 2";
  EXPECT_EQ(pushes.Pending(), 2);

  auto first = pushes.Claim(200, 10'000);
  ASSERT_TRUE(first);
  EXPECT_EQ(first->after, "a1");
  EXPECT_EQ(first->forge, "github");
  EXPECT_EQ(first->attempts, 1);
  auto second = pushes.Claim(200, 10'000);
  ASSERT_TRUE(second);
  EXPECT_EQ(second->after, "b2");
  EXPECT_FALSE(pushes.Claim(200, 10'000)) << "both are claimed";
  pushes.Done(first->id);
  EXPECT_EQ(pushes.Pending(), 1);
  // A claim that ran out (its controller died) is taken again.
  auto again = pushes.Claim(10'001, 20'000);
  ASSERT_TRUE(again);
  EXPECT_EQ(again->id, second->id);
  EXPECT_EQ(again->attempts, 2);
}

TEST_P(WebhookPushTest, AFailedTryIsRetriedThenGivenUp) {
  WebhookPushes pushes(store_->db());
  ASSERT_TRUE(pushes.Add(Push("a1"), 10, 100));
  auto p = pushes.Claim(100, 1000);
  ASSERT_TRUE(p);
  EXPECT_FALSE(pushes.Failed(p->id, "clone failed", 2, 500, 100));
  EXPECT_FALSE(pushes.Claim(499, 1000)) << "not due before its retry time";
  p = pushes.Claim(500, 1000);
  ASSERT_TRUE(p);
  EXPECT_TRUE(pushes.Failed(p->id, "clone failed again", 2, 900, 500));
  EXPECT_FALSE(pushes.Claim(5000, 6000)) << "given up";
  EXPECT_EQ(pushes.Pending(), 0);
  Result r = store_->db().Acquire()->Exec("SELECT last_error FROM webhook_push");
  ASSERT_EQ(r.rows(), 1u);
  EXPECT_EQ(r.text(0, 0), "clone failed again");
}

TEST_P(WebhookPushTest, ResumeMakesClaimedAndWaitingPushesDueAtOnce) {
  WebhookPushes pushes(store_->db());
  ASSERT_TRUE(pushes.Add(Push("a1"), 10, 100));
  ASSERT_TRUE(pushes.Add(Push("b2"), 10, 100));
  ASSERT_TRUE(pushes.Claim(100, 1'000'000));
  auto b = pushes.Claim(100, 1'000'000);
  ASSERT_TRUE(b);
  pushes.Failed(b->id, "unreachable", 5, 900'000, 100);
  EXPECT_FALSE(pushes.Claim(200, 1'000'000));
  pushes.Resume(200);  // a restarted controller
  auto p = pushes.Claim(200, 1'000'000);
  ASSERT_TRUE(p);
  EXPECT_EQ(p->after, "a1");
  p = pushes.Claim(200, 1'000'000);
  ASSERT_TRUE(p);
  EXPECT_EQ(p->after, "b2");
}

INSTANTIATE_TEST_SUITE_P(Backends, WebhookPushTest, ::testing::Values("sqlite", "postgres"),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace cbit::store
