// Jobs side by side with fake work: each runs in a thread of its own, sees
// only its own cancel, and is handed back once its work has returned.
#include "client/job_slots.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <thread>

namespace cbit::client {
namespace {
using namespace std::chrono_literals;

JobSlots::Job JobWithId(Id id, int generation = 1) {
  JobSlots::Job job;
  job.request.job.id = id;
  job.generation = generation;
  return job;
}

bool WaitUntil(const std::function<bool()>& done) {
  for (auto until = std::chrono::steady_clock::now() + 10s;
       std::chrono::steady_clock::now() < until; std::this_thread::sleep_for(1ms))
    if (done()) return true;
  return false;
}

// Fake work: counts itself running, then waits for its cancel, the stop or
// `release`, and reports which one ended it.
struct HeldWork {
  std::atomic<int> running{0};
  std::atomic<bool> release{false};

  JobSlots::Work Work() {
    return [this](const JobSlots::Job&, const JobSignals& s) {
      ++running;
      while (!release && !s.cancelled() && !s.stopping()) std::this_thread::sleep_for(1ms);
      JobReport r;
      r.outcome = release ? Outcome::kBuilt : Outcome::kCancelled;
      r.detail = s.cancelled() ? "cancelled" : s.stopping() ? "stopping" : "released";
      --running;
      return r;
    };
  }
};

TEST(JobSlots, TwoJobsRunAtOnceAndACancelStopsOnlyItsOwn) {
  HeldWork work;
  JobSlots slots(2, [] { return false; });
  slots.Start(JobWithId(1), work.Work());
  EXPECT_FALSE(slots.Full());
  slots.Start(JobWithId(2), work.Work());
  EXPECT_TRUE(slots.Full());
  ASSERT_TRUE(WaitUntil([&] { return work.running == 2; }));

  EXPECT_TRUE(slots.Cancel(1));
  EXPECT_FALSE(slots.Cancel(3));
  ASSERT_TRUE(WaitUntil([&] { return work.running == 1; }));
  std::vector<JobSlots::Job> ended;
  ASSERT_TRUE(WaitUntil([&] { return !(ended = slots.TakeFinished()).empty(); }));
  ASSERT_EQ(ended.size(), 1u);
  EXPECT_EQ(ended[0].request.job.id, 1);
  EXPECT_EQ(ended[0].report.detail, "cancelled");
  EXPECT_TRUE(slots.Holds(2));
  EXPECT_FALSE(slots.Holds(1));
  EXPECT_FALSE(slots.Full());
  EXPECT_TRUE(slots.TakeFinished().empty());  // the other still runs

  work.release = true;
  ASSERT_TRUE(WaitUntil([&] { return !(ended = slots.TakeFinished()).empty(); }));
  EXPECT_EQ(ended[0].request.job.id, 2);
  EXPECT_EQ(ended[0].report.outcome, Outcome::kBuilt);
  EXPECT_TRUE(slots.Empty());
}

TEST(JobSlots, TheStopReachesEveryJobAndJoinAllWaitsForThemAll) {
  HeldWork work;
  std::atomic<bool> stop{false};
  JobSlots slots(3, [&] { return stop.load(); });
  for (Id id : {1, 2, 3}) slots.Start(JobWithId(id), work.Work());
  ASSERT_TRUE(WaitUntil([&] { return work.running == 3; }));
  stop = true;
  std::vector<JobSlots::Job> all = slots.JoinAll();
  ASSERT_EQ(all.size(), 3u);
  for (const auto& job : all) EXPECT_EQ(job.report.detail, "stopping");
  EXPECT_EQ(work.running, 0);
  EXPECT_TRUE(slots.Empty());
}

TEST(JobSlots, JobsOfAnEarlierConnectionAreTold) {
  HeldWork work;
  JobSlots slots(2, [] { return false; });
  slots.Start(JobWithId(1, /*generation=*/1), work.Work());
  slots.Start(JobWithId(2, /*generation=*/2), work.Work());
  EXPECT_TRUE(slots.AnyBefore(2));
  EXPECT_FALSE(slots.AnyBefore(1));
  work.release = true;
}

TEST(JobSlots, ACapacityBelowOneMeansOne) {
  HeldWork work;
  work.release = true;
  JobSlots slots(0, [] { return false; });
  slots.Start(JobWithId(1), work.Work());
  EXPECT_TRUE(slots.Full());
}

}  // namespace
}  // namespace cbit::client
