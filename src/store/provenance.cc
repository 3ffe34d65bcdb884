#include "store/provenance.h"

#include "store/store.h"

namespace cbit::store {
namespace {

constexpr std::string_view kJobExists = "SELECT id FROM job WHERE id = $1";
constexpr std::string_view kAttempts =
    "SELECT count(*) FROM jobstatus js JOIN status st ON st.id = js.status_id"
    " WHERE js.job_id = $1 AND st.name = 'Building'";
constexpr std::string_view kDelete =
    "DELETE FROM build_provenance WHERE job_id = $1 AND attempt = $2";
constexpr std::string_view kInsert =
    "INSERT INTO build_provenance (job_id, attempt, client, client_version, builder, root_digest,"
    " root_created, buildinfo, recorded) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)";
constexpr std::string_view kSelect =
    "SELECT client, client_version, builder, root_digest, root_created, buildinfo, recorded"
    " FROM build_provenance WHERE job_id = $1 AND attempt = $2";

std::string JobName(Id id) { return "job " + std::to_string(id); }

// The job's attempts so far; NotFound for an unknown job.
int AttemptsOf(Connection& c, Id job) {
  if (c.Exec(kJobExists, {job}).empty()) throw NotFound("no job with id " + std::to_string(job));
  return static_cast<int>(c.Exec(kAttempts, {job}).i64(0, 0));
}

}  // namespace

Provenance RecordProvenance(Store& store, Provenance p) {
  store.Write([&](Connection& c) {
    p.attempt = AttemptsOf(c, p.job);
    if (p.attempt == 0)
      throw Conflict(JobName(p.job) + " has not been built: no provenance to keep");
    // A report sent again (its answer lost) replaces what the first one left.
    c.Exec(kDelete, {p.job, std::int64_t{p.attempt}});
    Param buildinfo = p.buildinfo ? Param(*p.buildinfo) : Param();
    c.Exec(kInsert, {p.job, std::int64_t{p.attempt}, p.client, p.client_version, p.builder,
                     p.root_digest, p.root_created, buildinfo, p.recorded});
  });
  return p;
}

// Read in a write transaction, the store's only public one: the route
// reading it is rare.
Provenance GetProvenance(Store& store, Id job, std::optional<int> attempt) {
  Provenance p;
  store.Write([&](Connection& c) {
    const int attempts = AttemptsOf(c, job);
    if (attempts == 0) throw NotFound(JobName(job) + " has not been built yet");
    const int a = attempt.value_or(attempts);
    if (a < 1 || a > attempts) {
      throw NotFound(JobName(job) + " has no build attempt " + std::to_string(a) + " (it has had " +
                     std::to_string(attempts) + ")");
    }
    Result r = c.Exec(kSelect, {job, std::int64_t{a}});
    if (r.empty()) {
      throw NotFound(JobName(job) + ": build attempt " + std::to_string(a) +
                     " has no provenance (its client sent none, or the attempt has not ended)");
    }
    p.job = job;
    p.attempt = a;
    p.client = r.text(0, 0);
    p.client_version = r.text(0, 1);
    p.builder = r.text(0, 2);
    p.root_digest = r.text(0, 3);
    p.root_created = r.text(0, 4);
    if (!r.null(0, 5)) p.buildinfo = r.text(0, 5);
    p.recorded = r.i64(0, 6);
  });
  return p;
}

}  // namespace cbit::store
