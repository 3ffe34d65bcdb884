// The user and group ids a sandbox maps: inside uid 0 is the caller, and
// inside 1..count its first range of subordinate ids (/etc/subuid,
// /etc/subgid), the layout mmdebstrap and sbuild's unshare mode use, so a
// root they unpack is owned by the same ids the sandbox sees.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace cbit::sandbox {

struct SubIdRange {
  unsigned long start = 0;
  unsigned long count = 0;
};

/// The first range of `name` (or of the numeric `id`) in the text of a
/// /etc/subuid-style file ("name:start:count" lines).
std::optional<SubIdRange> FindSubIds(std::string_view file_text, const std::string& name,
                                     unsigned long id);

/// The newuidmap/newgidmap arguments after the pid: "0 ID 1 1 START COUNT".
std::string MapLine(unsigned long id, const SubIdRange& range);

}  // namespace cbit::sandbox
