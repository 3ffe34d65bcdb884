#include "util/coalescer.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <future>
#include <set>
#include <string>
#include <thread>

namespace cbit {
namespace {

using namespace std::chrono_literals;

struct Item {
  std::string key;
  int value = 0;
  std::shared_future<void> gate;  ///< the batch holding this item waits for it
  int batch = -1;                 ///< which batch ran it
};

// Records the batches it runs; a batch waits for the gates of its items.
struct Recorder {
  std::mutex mu;
  std::vector<std::vector<std::string>> batches;
  std::atomic<int> in_flight{0};
  std::atomic<int> max_in_flight{0};

  void Run(std::span<Item* const> items) {
    int now = ++in_flight;
    int seen = max_in_flight.load();
    while (now > seen && !max_in_flight.compare_exchange_weak(seen, now)) {
    }
    for (Item* i : items)
      if (i->gate.valid()) i->gate.wait();
    std::lock_guard lock(mu);
    batches.emplace_back();
    for (Item* i : items) {
      i->batch = static_cast<int>(batches.size()) - 1;
      batches.back().push_back(i->key + std::to_string(i->value));
    }
    --in_flight;
  }
};

Coalescer<Item>::Conflict SameKey() {
  return [](const Item& a, const Item& b) { return a.key == b.key; };
}

// Every test runs twice: the next batch led by a waiting caller, and run by
// the relay thread.
class CoalescerModes : public ::testing::TestWithParam<bool> {
 protected:
  bool relay() const { return GetParam(); }
};

void WaitFor(const std::function<bool()>& cond) {
  for (int i = 0; i < 2000 && !cond(); ++i) std::this_thread::sleep_for(1ms);
  ASSERT_TRUE(cond());
}

TEST_P(CoalescerModes, AloneRunsAtOnce) {
  Recorder rec;
  Coalescer<Item> c({.relay = relay()}, SameKey(), [&](auto items) { rec.Run(items); });
  Item a{"a", 1};
  c.Run(a);
  Item b{"a", 2};
  c.Run(b);
  EXPECT_EQ(rec.batches, (std::vector<std::vector<std::string>>{{"a1"}, {"a2"}}));
}

// Holds a first batch open, queues `n` items of distinct keys behind it
// (one thread each), then lets everything run.
void RunBehindAHeldBatch(Coalescer<Item>& c, Recorder& rec, int n) {
  std::promise<void> release;
  Item first{"first", 0, release.get_future().share()};
  std::thread t0([&] { c.Run(first); });
  WaitFor([&] { return rec.in_flight == 1; });
  std::vector<Item> items;
  for (int i = 1; i <= n; ++i) items.push_back({"k" + std::to_string(i), i});
  std::vector<std::thread> threads;
  threads.reserve(items.size());
  for (auto& i : items) threads.emplace_back([&c, &i] { c.Run(i); });
  WaitFor([&] { return c.waiting() == static_cast<std::size_t>(n); });
  release.set_value();
  t0.join();
  for (auto& t : threads) t.join();
}

TEST_P(CoalescerModes, WhatArrivesDuringABatchRunsInTheNext) {
  Recorder rec;
  Coalescer<Item> c({.max_batch = 32, .max_running = 1, .relay = relay()}, SameKey(),
                    [&](auto items) { rec.Run(items); });
  RunBehindAHeldBatch(c, rec, 10);
  ASSERT_EQ(rec.batches.size(), 2u);  // the ten waited together
  EXPECT_EQ(rec.batches[1].size(), 10u);
  EXPECT_EQ(rec.max_in_flight, 1);
}

TEST_P(CoalescerModes, BatchesAreBounded) {
  Recorder rec;
  Coalescer<Item> c({.max_batch = 4, .max_running = 1, .relay = relay()}, SameKey(),
                    [&](auto items) { rec.Run(items); });
  RunBehindAHeldBatch(c, rec, 10);
  ASSERT_EQ(rec.batches.size(), 4u);  // 1, then 4 + 4 + 2
  for (const auto& b : rec.batches) EXPECT_LE(b.size(), 4u);
}

TEST_P(CoalescerModes, ConflictingItemsRunOneAfterAnotherInArrivalOrder) {
  Recorder rec;
  Coalescer<Item> c({.max_batch = 32, .max_running = 2, .relay = relay()}, SameKey(),
                    [&](auto items) { rec.Run(items); });
  std::promise<void> release;
  Item a1{"a", 1, release.get_future().share()};
  std::thread t1([&] { c.Run(a1); });
  WaitFor([&] { return rec.in_flight == 1; });
  // a2 conflicts with the running a1: it waits though a slot is free.
  Item a2{"a", 2};
  std::thread t2([&] { c.Run(a2); });
  WaitFor([&] { return c.waiting() == 1; });
  // b1 conflicts with nothing: it runs in the second slot, past a2.
  Item b1{"b", 1};
  c.Run(b1);
  // a3 must not overtake a2, nor share its batch.
  Item a3{"a", 3};
  std::thread t3([&] { c.Run(a3); });
  WaitFor([&] { return c.waiting() == 2; });
  release.set_value();
  t1.join();
  t2.join();
  t3.join();
  ASSERT_EQ(rec.batches.size(), 4u);
  EXPECT_EQ(rec.batches[0], std::vector<std::string>{"b1"});
  EXPECT_EQ(rec.batches[1], std::vector<std::string>{"a1"});
  EXPECT_EQ(rec.batches[2], std::vector<std::string>{"a2"});
  EXPECT_EQ(rec.batches[3], std::vector<std::string>{"a3"});
}

TEST_P(CoalescerModes, ManyThreadsEachItemRunsOnce) {
  Recorder rec;
  Coalescer<Item> c({.max_batch = 8, .max_running = 2, .relay = relay()}, SameKey(),
                    [&](auto items) { rec.Run(items); });
  constexpr int kThreads = 8, kEach = 200;
  std::vector<std::thread> threads;
  threads.reserve(kThreads);
  std::atomic<int> ran{0};
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kEach; ++i) {
        Item item{std::string(1, static_cast<char>('a' + (i % 3))), t * kEach + i};
        c.Run(item);
        if (item.batch >= 0) ++ran;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(ran, kThreads * kEach);
  std::size_t total = 0;
  for (const auto& b : rec.batches) {
    total += b.size();
    std::set<char> keys;
    for (const auto& s : b) EXPECT_TRUE(keys.insert(s[0]).second) << "two of a key in one batch";
  }
  EXPECT_EQ(total, static_cast<std::size_t>(kThreads * kEach));
  EXPECT_LE(rec.max_in_flight, 2);
}

// With a relay, the batches after a caller's own run on the relay thread.
TEST(CoalescerRelay, RunsTheBatchesThatWaited) {
  std::set<std::thread::id> threads;
  Recorder rec;
  Coalescer<Item> c({.max_batch = 4, .max_running = 1, .relay = true}, SameKey(), [&](auto items) {
    threads.insert(std::this_thread::get_id());
    rec.Run(items);
  });
  RunBehindAHeldBatch(c, rec, 10);
  ASSERT_EQ(rec.batches.size(), 4u);  // 1, then 4 + 4 + 2
  // The first batch ran on its caller's thread, the three after it on one
  // other thread.
  EXPECT_EQ(threads.size(), 2u);
}

INSTANTIATE_TEST_SUITE_P(Modes, CoalescerModes, ::testing::Bool(),
                         [](const auto& info) { return info.param ? "Relay" : "CallerLeads"; });

}  // namespace
}  // namespace cbit
