// Store: leases (docs/design.md, "Job life cycle"). When each build client
// and each Building job was last heard from; the controller returns to the
// queue the jobs whose holder went silent for longer than the lease.
#include "store/store.h"
#include "store/store_rows.h"

namespace cbit::store {
namespace {

using detail::Query;

// A job never heard from (claimed before leases existed) counts from its
// status's time.
constexpr std::string_view kLapsed =
    "SELECT j.id FROM job j WHERE j.status_id = (SELECT id FROM status WHERE name = 'Building')"
    " AND COALESCE(j.last_heard, j.status_time, 0) < $1"
    " ORDER BY COALESCE(j.last_heard, j.status_time, 0), j.id LIMIT $2";
constexpr std::string_view kClientHeard =
    "INSERT INTO buildclients (name, last_heard) VALUES ($1, $2)"
    " ON CONFLICT (name) DO UPDATE SET last_heard = excluded.last_heard RETURNING id";
// Only while that client holds the job Building: a late append from a
// client whose lease ran out renews nothing.
constexpr std::string_view kJobHeard =
    "UPDATE job SET last_heard = $3 WHERE id = $1 AND buildclient_id = $2"
    " AND status_id = (SELECT id FROM status WHERE name = 'Building')";
constexpr std::string_view kSetClientQueues = "UPDATE buildclients SET queues = $2 WHERE id = $1";
constexpr std::string_view kClientsHeard =
    "SELECT id, name, last_heard, queues FROM buildclients ORDER BY name, id";
constexpr std::string_view kClientHeardOf =
    "SELECT id, name, last_heard, queues FROM buildclients WHERE name = $1";

ClientHeard ClientHeardAt(const Result& r, std::size_t row) {
  ClientHeard c{r.i64(row, 0), r.text(row, 1), r.opt_i64(row, 2)};
  if (!r.null(row, 3)) c.queues = r.text(row, 3);
  return c;
}

}  // namespace

namespace detail {

JobLease LeaseAt(const Result& r, Id job_id) {
  if (r.empty()) throw NotFound(NoSuch("job", job_id));
  JobLease l;
  l.job_id = job_id;
  if (!r.null(0, 0)) l.status = r.text(0, 0);
  if (!r.null(0, 1)) l.client = r.text(0, 1);
  l.last_heard_us = r.i64(0, 2);
  l.attempts = static_cast<int>(r.i64(0, 3));
  return l;
}

}  // namespace detail

JobLease Store::LeaseOf(Id job_id) {
  return detail::LeaseAt(Query(*db_, detail::kJobLease, {job_id}), job_id);
}

std::vector<Id> Store::LapsedLeases(std::int64_t heard_before_us, int limit) {
  Result r = Query(*db_, kLapsed, {heard_before_us, std::int64_t{limit}});
  std::vector<Id> ids;
  ids.reserve(r.rows());
  for (std::size_t i = 0; i < r.rows(); ++i) ids.push_back(r.i64(i, 0));
  return ids;
}

void Store::Heard(const std::string& client, std::optional<Id> job_id, std::int64_t now_us,
                  const std::optional<std::string>& queues) {
  Write([&](Connection& c) {
    Id client_id = c.Exec(kClientHeard, {client, now_us}).i64(0, 0);
    if (job_id) c.Exec(kJobHeard, {*job_id, client_id, now_us});
    if (queues) c.Exec(kSetClientQueues, {client_id, *queues});
  });
}

std::vector<ClientHeard> Store::ClientsHeard() {
  Result r = Query(*db_, kClientsHeard);
  std::vector<ClientHeard> out;
  out.reserve(r.rows());
  for (std::size_t i = 0; i < r.rows(); ++i) out.push_back(ClientHeardAt(r, i));
  return out;
}

std::optional<ClientHeard> Store::ClientHeardOf(const std::string& name) {
  Result r = Query(*db_, kClientHeardOf, {name});
  if (r.empty()) return std::nullopt;
  return ClientHeardAt(r, 0);
}

}  // namespace cbit::store
