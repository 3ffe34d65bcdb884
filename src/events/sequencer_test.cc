#include "events/sequencer.h"

#include <gtest/gtest.h>

#include <vector>

namespace cbit::events {
namespace {

using store::SnapshotBounds;

std::size_t Accept(Sequencer& s, std::vector<Id> ids, std::optional<SnapshotBounds> b) {
  return s.Accept(ids, b);
}

TEST(Sequencer, DeliversConsecutiveIds) {
  Sequencer s(10);
  EXPECT_EQ(Accept(s, {11, 12, 13}, SnapshotBounds{100, 101}), 3u);
  EXPECT_EQ(s.cursor(), 13);
  EXPECT_FALSE(s.holding());
}

TEST(Sequencer, WithSerialisedWritersAMissingIdIsFinal) {
  Sequencer s(10);
  EXPECT_EQ(Accept(s, {11, 14, 15}, std::nullopt), 3u);
  EXPECT_EQ(s.cursor(), 15);
  EXPECT_FALSE(s.holding());
}

// Id 12 is being written by a transaction that has not committed: 13 must
// wait for it, or a stream would get 13 and never 12.
TEST(Sequencer, HoldsAMissingIdUntilItCommits) {
  Sequencer s(10);
  EXPECT_EQ(Accept(s, {11, 13}, SnapshotBounds{100, 105}), 1u);
  EXPECT_EQ(s.cursor(), 11);
  EXPECT_TRUE(s.holding());
  // Still in flight: the oldest running transaction is older than 105.
  EXPECT_EQ(Accept(s, {13}, SnapshotBounds{103, 106}), 0u);
  EXPECT_EQ(s.cursor(), 11);
  // It committed.
  EXPECT_EQ(Accept(s, {12, 13}, SnapshotBounds{106, 106}), 2u);
  EXPECT_EQ(s.cursor(), 13);
  EXPECT_FALSE(s.holding());
}

TEST(Sequencer, SkipsAMissingIdOnceEveryTransactionThatCouldWriteItEnded) {
  Sequencer s(10);
  EXPECT_EQ(Accept(s, {11, 13}, SnapshotBounds{100, 105}), 1u);
  // Every transaction older than 105 ended and 12 is not there: rolled back.
  EXPECT_EQ(Accept(s, {13, 14}, SnapshotBounds{105, 107}), 2u);
  EXPECT_EQ(s.cursor(), 14);
  EXPECT_FALSE(s.holding());
}

// The gap's mark is that of the read that first saw it, not of later
// reads: a later, larger mark would only delay it.
TEST(Sequencer, KeepsTheFirstMarkOfAGap) {
  Sequencer s(10);
  EXPECT_EQ(Accept(s, {11, 13}, SnapshotBounds{100, 105}), 1u);
  EXPECT_EQ(Accept(s, {13}, SnapshotBounds{104, 120}), 0u);
  EXPECT_EQ(Accept(s, {13}, SnapshotBounds{105, 121}), 1u);
}

// Ids past the gap first seen may be newer than its mark: a gap that grew
// (the row that closed it was deleted) starts again with a new mark.
TEST(Sequencer, AGapThatGrewIsMarkedAgain) {
  Sequencer s(10);
  EXPECT_EQ(Accept(s, {11, 13}, SnapshotBounds{100, 105}), 1u);
  EXPECT_EQ(Accept(s, {16}, SnapshotBounds{105, 110}), 0u);  // 13 was deleted
  EXPECT_TRUE(s.holding());
  EXPECT_EQ(Accept(s, {16}, SnapshotBounds{109, 111}), 0u);
  EXPECT_EQ(Accept(s, {16}, SnapshotBounds{110, 111}), 1u);
  EXPECT_EQ(s.cursor(), 16);
}

TEST(Sequencer, ASecondGapAfterTheFirstIsHeldOnItsOwn) {
  Sequencer s(10);
  EXPECT_EQ(Accept(s, {12, 14}, SnapshotBounds{100, 105}), 0u);
  EXPECT_EQ(Accept(s, {12, 14}, SnapshotBounds{105, 108}), 1u);  // 11 is final; 13 is new
  EXPECT_EQ(s.cursor(), 12);
  EXPECT_TRUE(s.holding());
  EXPECT_EQ(Accept(s, {13, 14}, SnapshotBounds{108, 108}), 2u);
  EXPECT_EQ(s.cursor(), 14);
}

}  // namespace
}  // namespace cbit::events
