// The domain model (docs/design.md, "Data model"): the rows the controller stores and the objects
// it sends. Plain values, no I/O; the wire codec (wire.h) turns them into
// pyBit's JSON shapes.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace cbit {

using Id = std::int64_t;

/// A row of a lookup table: arch, distribution, suite, format, status,
/// buildclients, buildenv.
struct Lookup {
  Id id = 0;
  std::string name;
  friend bool operator==(const Lookup&, const Lookup&) = default;
};

/// The lookup tables, in one enum so routes, store and codec share a name;
/// core/lookup_kind.h says what each is called where.
enum class LookupKind { kArch, kDist, kSuite, kFormat, kStatus, kBuildClient, kBuildEnv };

struct Package {
  Id id = 0;
  std::string name;
  std::string version;
};

/// One buildable combination of a package (docs/design.md, "Data model").
struct PackageInstance {
  Id id = 0;
  Package package;
  Lookup arch;
  std::optional<Lookup> build_env;
  Lookup suite;
  Lookup dist;
  Lookup format;
  bool master = false;
};

struct SuiteArch {
  Id id = 0;
  Lookup suite;
  Lookup arch;
  std::int64_t master_weight = 0;
};

struct BuildEnvSuiteArch {
  Id id = 0;
  Lookup build_env;
  SuiteArch suitearch;
};

struct Job {
  Id id = 0;
  PackageInstance instance;
  std::optional<Lookup> buildclient;
  std::string status;  ///< current status name (denormalised; not on the wire)
};

/// One row of a job's status history.
struct JobHistory {
  Id job_id = 0;
  std::string status;
  std::optional<std::string> buildclient;
  std::int64_t time_us = 0;  ///< microseconds since the epoch, UTC
  /// Why the job moved: the controller's own moves (a lease that ran out)
  /// and reports that sent a `reason` (a client's failure class); not in
  /// pyBit's shape, so sent only when set.
  std::optional<std::string> reason = std::nullopt;
};

struct Blacklist {
  Id id = 0;
  std::string field;  ///< "name" or "vcs_uri"
  std::string regex;
};

/// How a build client gets the source of a job.
struct Transport {
  std::string method;  ///< git | svn | apt | …
  std::string uri;
  std::string vcs_id;
};

/// Controller → build queue `{dist}_{arch}_{suite}_{format}`.
struct BuildRequest {
  Job job;
  Transport transport;
  std::string web_host;
  std::vector<std::string> commands;
};

/// Controller → `build_client_{name}`: stop building this job.
struct CancelRequest {
  Job job;
  std::string web_host;
};

/// Statuses seeded in every database.
namespace status {
inline constexpr const char* kWaiting = "Waiting";
inline constexpr const char* kBlocked = "Blocked";
inline constexpr const char* kCancelled = "Cancelled";
inline constexpr const char* kBuilding = "Building";
inline constexpr const char* kFailed = "Failed";
inline constexpr const char* kUploaded = "Uploaded";
inline constexpr const char* kDone = "Done";
/// Unfinished = latest status not in {Uploaded, Done, Cancelled}.
bool IsFinished(std::string_view name);
/// One of the seeded statuses, which the job logic relies on.
bool IsBuiltIn(std::string_view name);
/// The longest `reason` a status report may carry (PUT /job/<id>).
inline constexpr std::size_t kMaxReasonBytes = 1024;
}  // namespace status

/// The routing key and queue name of a job's build target (docs/protocol.md, "AMQP").
std::string RoutingKey(const PackageInstance& pi);
std::string QueueName(const PackageInstance& pi);

}  // namespace cbit
