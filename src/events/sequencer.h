// Delivers history rows as events in id order, never skipping one that may
// still commit. On PostgreSQL ids come from a sequence, and concurrent
// transactions commit out of id order: a read may see id 7 while id 6 is
// still being written. A missing id is held (nothing after it is delivered)
// until it is known for good: it appeared, or every transaction that could
// have written it has ended (the oldest running transaction is newer than
// the mark of the read that first saw it missing), so it was rolled back or
// deleted. Where
// writers are serialised (SQLite), a missing id is final at once.
#pragma once

#include <cstddef>
#include <optional>
#include <span>

#include "core/model.h"
#include "store/event_rows.h"

namespace cbit::events {

class Sequencer {
 public:
  /// Every id up to `cursor` is already settled.
  explicit Sequencer(Id cursor) : cursor_(cursor) {}

  /// `ids`: the ids read above cursor(), ascending, with the read's bounds.
  /// Returns how many of them, from the first, to deliver now; cursor()
  /// moves past them (and past missing ids known to be final).
  std::size_t Accept(std::span<const Id> ids, const std::optional<store::SnapshotBounds>& bounds);
  /// The last id settled: events up to it are delivered or will never be.
  Id cursor() const { return cursor_; }
  /// A missing id is held open: read again soon.
  bool holding() const { return gap_start_ != 0; }

 private:
  /// Whether the ids [start, end) missing from this read are final.
  bool Final(Id start, Id end, const std::optional<store::SnapshotBounds>& bounds);

  Id cursor_;
  Id gap_start_ = 0;  ///< 0: no gap held
  Id gap_end_ = 0;    ///< the gap first seen was [gap_start_, gap_end_)
  std::uint64_t gap_mark_ = 0;
};

}  // namespace cbit::events
