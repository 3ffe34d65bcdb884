#include "events/sequencer.h"

namespace cbit::events {

bool Sequencer::Final(Id start, Id end, const std::optional<store::SnapshotBounds>& bounds) {
  if (!bounds) return true;
  // Ids below gap_end_ were allocated before the read that saw the gap
  // first, so its mark covers them; a gap that starts elsewhere or grew
  // past it (the row after it was deleted) is marked by this read.
  if (gap_start_ == start && end <= gap_end_) {
    if (bounds->xmin_before < gap_mark_) return false;
    gap_start_ = 0;
    return true;
  }
  gap_start_ = start;
  gap_end_ = end;
  gap_mark_ = bounds->xmax_after;
  return false;
}

std::size_t Sequencer::Accept(std::span<const Id> ids,
                              const std::optional<store::SnapshotBounds>& bounds) {
  std::size_t n = 0;
  for (Id id : ids) {
    if (id != cursor_ + 1 && !Final(cursor_ + 1, id, bounds)) return n;
    cursor_ = id;
    if (gap_start_ != 0 && gap_start_ <= cursor_) gap_start_ = 0;
    ++n;
  }
  return n;
}

}  // namespace cbit::events
