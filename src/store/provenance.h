// The provenance of a build attempt: what the client that built it says
// about it when it reports the attempt's end (docs/protocol.md,
// "Provenance") — the .buildinfo dpkg-buildpackage wrote, the identity of
// the root it built in, its own name and version and its builder's. Every
// field is optional on the wire: pyBit's clients send none.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "core/model.h"

namespace cbit::store {

struct Provenance {
  Id job = 0;
  int attempt = 0;                       ///< the job's N-th Building status
  std::string client;                    ///< the build client that reported it
  std::string client_version;            ///< e.g. "cbit-client 0.1.0"
  std::string builder;                   ///< e.g. "isolated (cbit-sandbox 0.1.0)"
  std::string root_digest;               ///< the root's digest (empty: not isolated)
  std::string root_created;              ///< when that root was made, UTC
  std::optional<std::string> buildinfo;  ///< the .buildinfo text; none for a failed build
  std::int64_t recorded = 0;             ///< µs since the epoch
};

class Store;

/// Keeps `p` for its job's latest attempt (replacing what an earlier report
/// of that attempt left); returns it with the attempt filled in. NotFound
/// for an unknown job; Conflict when it has never been Building.
Provenance RecordProvenance(Store& store, Provenance p);

/// The provenance of an attempt (nullopt: the latest); NotFound naming
/// what is missing: the job, the attempt, or the attempt's provenance.
Provenance GetProvenance(Store& store, Id job, std::optional<int> attempt);

}  // namespace cbit::store
