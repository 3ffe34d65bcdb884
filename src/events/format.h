// The text of each Server-Sent Event of GET /events (docs/protocol.md), and
// which streams an event goes to.
#pragma once

#include <string>
#include <vector>

#include "core/model.h"
#include "store/event_rows.h"

namespace cbit::events {

/// `status` (or `created`, for a job's first history row), with the row's
/// id as the event id.
std::string JobEventText(const store::JobEvent& e);
/// `client`, without an event id (a client's state is sent whole at each
/// connection, so it is never resumed).
std::string ClientEventText(const store::ClientState& c);
/// `ready`: the stream is live from event `id` on.
std::string ReadyText(Id id);
/// `reset`: events the client asked to resume from are gone; `id` is where
/// the stream goes on from.
std::string ResetText(Id id, const std::string& reason);
/// A comment: keeps proxies and the client's idle timers from closing.
inline constexpr std::string_view kKeepAlive = ": keep-alive\n\n";

/// What a stream asked for (?job=, ?package=, ?client=): each list given
/// must match; an empty one matches everything.
struct Filter {
  std::vector<Id> jobs;
  std::vector<std::string> packages, clients;

  bool Matches(const store::JobEvent& e) const;
  /// Client events go only to streams without job or package filters.
  bool Matches(const store::ClientState& c) const;
};

}  // namespace cbit::events
