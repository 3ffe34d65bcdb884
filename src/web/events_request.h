// What a GET /events request asks for: its filters and where to resume
// (docs/protocol.md, "Live events").
#pragma once

#include <optional>

#include "events/format.h"
#include "web/router.h"

namespace cbit::web {

struct EventsRequest {
  events::Filter filter;
  /// Last-Event-ID (a browser reconnecting), else ?since=; nullopt: from now.
  std::optional<Id> since;
};

/// At most this many values of one filter.
inline constexpr std::size_t kMaxEventFilters = 100;

/// Reads ?job= (ids, repeated or comma-separated), ?package=, ?client=
/// (repeated), ?since= and Last-Event-ID. HttpError 400 naming the problem:
/// an id that is not one, an empty or oversized value, too many values, a
/// parameter it does not know.
EventsRequest ParseEventsRequest(const Request& req);

}  // namespace cbit::web
