// Store: build logs. A client appends its job's log in chunks at byte
// offsets (POST /job/<id>/log); anyone follows it from an offset (GET).
#include "store/store.h"

namespace cbit::store {
namespace {

constexpr std::string_view kJobStatus =
    "SELECT st.name FROM job j LEFT JOIN status st ON st.id = j.status_id WHERE j.id = $1";
constexpr std::string_view kAttempts =
    "SELECT count(*) FROM jobstatus js JOIN status st ON st.id = js.status_id"
    " WHERE js.job_id = $1 AND st.name = 'Building'";
// The last chunk ends the log: its offset plus its size in bytes, counted
// here rather than in SQL, where SQLite's length() counts characters.
constexpr std::string_view kLastChunk =
    "SELECT offset_bytes, data FROM joblog WHERE job_id = $1 AND attempt = $2"
    " ORDER BY offset_bytes DESC LIMIT 1";
constexpr std::string_view kInsertChunk =
    "INSERT INTO joblog (job_id, attempt, offset_bytes, data) VALUES ($1, $2, $3, $4)";
// The chunk holding byte $3 and every later one.
constexpr std::string_view kChunksFrom =
    "SELECT offset_bytes, data FROM joblog WHERE job_id = $1 AND attempt = $2"
    " AND offset_bytes >= COALESCE((SELECT max(offset_bytes) FROM joblog"
    " WHERE job_id = $1 AND attempt = $2 AND offset_bytes <= $3), 0)"
    " ORDER BY offset_bytes";

// Attempt N of a job is its N-th Building status, in the order recorded:
// the logs of attempts begun before $1 go, unless their job is Building now.
constexpr std::string_view kExpireLogs =
    "WITH building AS (SELECT js.job_id, js.time,"
    " ROW_NUMBER() OVER (PARTITION BY js.job_id ORDER BY js.id) AS attempt"
    " FROM jobstatus js JOIN status st ON st.id = js.status_id"
    " WHERE st.name = 'Building' AND js.job_id IN (SELECT job_id FROM joblog))"
    " DELETE FROM joblog WHERE (job_id, attempt) IN"
    " (SELECT job_id, attempt FROM building WHERE time < $1)"
    " AND job_id NOT IN (SELECT j.id FROM job j JOIN status st ON st.id = j.status_id"
    " WHERE st.name = 'Building') RETURNING 1";

// What every log call needs to know first: the job's current status and how
// many attempts it has had. NotFound for an unknown job.
struct JobLogState {
  std::string status;
  int attempts = 0;
};

JobLogState StateOf(Connection& c, Id job_id) {
  Result job = c.Exec(kJobStatus, {job_id});
  if (job.empty()) throw NotFound("no job with id " + std::to_string(job_id));
  JobLogState s;
  if (!job.null(0, 0)) s.status = job.text(0, 0);
  s.attempts = static_cast<int>(c.Exec(kAttempts, {job_id}).i64(0, 0));
  return s;
}

// The cut marker is a chunk of its own, so that a log is known to be cut
// by its last chunk whatever the limit is now.
constexpr std::string_view kCutPrefix = "\n[cbit-web: log cut here";

std::string CutMarker(std::int64_t at, std::int64_t limit) {
  return std::string(kCutPrefix) + " at byte " + std::to_string(at) +
         ": a build attempt's log is limited to " + std::to_string(limit) +
         " bytes (controller.log_limit_bytes); later output was dropped]\n";
}

// Where an attempt's log ends, and whether it was cut there.
struct LogEnd {
  std::int64_t length = 0;
  bool cut = false;
};

LogEnd EndOf(Connection& c, Id job_id, int attempt) {
  Result last = c.Exec(kLastChunk, {job_id, std::int64_t{attempt}});
  if (last.empty()) return {};
  std::string_view data = last.view(0, 1);
  return {last.i64(0, 0) + static_cast<std::int64_t>(data.size()), data.starts_with(kCutPrefix)};
}

bool IsContinuation(char c) { return (static_cast<unsigned char>(c) & 0xC0) == 0x80; }

// The first character boundary of `s` at or after byte `i`.
std::size_t BoundaryFrom(std::string_view s, std::size_t i) {
  while (i < s.size() && IsContinuation(s[i])) ++i;
  return std::min(i, s.size());
}

// The last character boundary of `s` at or before byte `i`.
std::size_t BoundaryUpTo(std::string_view s, std::size_t i) {
  if (i >= s.size()) return s.size();
  while (i > 0 && IsContinuation(s[i])) --i;
  return i;
}

// Which attempt an append goes to; Conflict when it has not begun or is
// over (a later one began, or the job will have no other status).
int WritableAttempt(Id job_id, const JobLogState& state, std::optional<int> attempt) {
  int a = attempt.value_or(state.attempts);
  std::string job = "job " + std::to_string(job_id);
  if (a < 1 || a > state.attempts) {
    throw Conflict(job + " has no build attempt " + std::to_string(a) + " (it has had " +
                   std::to_string(state.attempts) + ")");
  }
  if (a < state.attempts) {
    throw Conflict(job + ": build attempt " + std::to_string(a) + " is finished (attempt " +
                   std::to_string(state.attempts) + " began since); its log takes no more text");
  }
  if (state.status == status::kUploaded || state.status == status::kFailed ||
      state.status == status::kCancelled) {
    throw Conflict(job + " is " + state.status + ": the log of its build attempt " +
                   std::to_string(a) + " takes no more text");
  }
  return a;
}

constexpr std::string_view kDeleteOldAttempts =
    "DELETE FROM joblog WHERE job_id = $1 AND attempt <= $2";

}  // namespace

LogAppend Store::AppendLog(Id job_id, std::optional<int> attempt, std::int64_t offset,
                           const std::string& data) {
  LogAppend out;
  Write([&](Connection& c) {
    const int a = WritableAttempt(job_id, StateOf(c, job_id), attempt);
    LogEnd end = EndOf(c, job_id, a);
    if (offset > end.length) {
      throw Conflict("offset " + std::to_string(offset) + " is past the end of the log (length " +
                     std::to_string(end.length) + ")");
    }
    out = LogAppend{a, end.length, end.cut};
    // A chunk sent again after a lost answer overlaps what is stored: only
    // its new tail is appended, from a character boundary, so retries never
    // duplicate text nor store half a character.
    std::string_view fresh(data);
    fresh.remove_prefix(BoundaryFrom(fresh, static_cast<std::size_t>(end.length - offset)));
    if (fresh.empty() || end.cut) return;
    if (end.length == 0 && log_limits_.keep_attempts > 0 && a > log_limits_.keep_attempts)
      c.Exec(kDeleteOldAttempts, {job_id, std::int64_t{a - log_limits_.keep_attempts}});
    const std::int64_t limit = log_limits_.bytes_per_attempt;
    const std::int64_t room = std::max<std::int64_t>(0, limit - end.length);
    std::size_t keep = fresh.size();
    if (static_cast<std::int64_t>(fresh.size()) > room)
      keep = BoundaryUpTo(fresh, static_cast<std::size_t>(room));
    if (keep > 0) {
      c.Exec(kInsertChunk,
             {job_id, std::int64_t{a}, end.length, std::string(fresh.substr(0, keep))});
      out.length += static_cast<std::int64_t>(keep);
    }
    if (keep < fresh.size()) {
      std::string marker = CutMarker(out.length, limit);
      c.Exec(kInsertChunk, {job_id, std::int64_t{a}, out.length, marker});
      out.length += static_cast<std::int64_t>(marker.size());
      out.cut = true;
    }
  });
  return out;
}

std::int64_t Store::ExpireLogs(std::int64_t began_before_us) {
  std::int64_t deleted = 0;
  Write([&](Connection& c) {
    deleted = static_cast<std::int64_t>(c.Exec(kExpireLogs, {began_before_us}).rows());
  });
  return deleted;
}

LogRead Store::ReadLog(Id job_id, std::optional<int> attempt, std::int64_t offset) {
  return InTransaction(*db_, false, [&](Connection& c) {
    JobLogState state = StateOf(c, job_id);
    LogRead read;
    read.finished = state.status == status::kDone || state.status == status::kUploaded ||
                    state.status == status::kFailed || state.status == status::kCancelled;
    read.attempt = attempt.value_or(state.attempts);
    if (attempt && (*attempt < 1 || *attempt > state.attempts)) {
      throw NotFound("job " + std::to_string(job_id) + " has no build attempt " +
                     std::to_string(*attempt));
    }
    if (read.attempt == 0) return read;
    Result chunks = c.Exec(kChunksFrom, {job_id, std::int64_t{read.attempt}, offset});
    if (chunks.empty()) return read;
    std::size_t last = chunks.rows() - 1;
    read.length = chunks.i64(last, 0) + static_cast<std::int64_t>(chunks.text(last, 1).size());
    if (offset >= read.length) return read;
    std::int64_t start = chunks.i64(0, 0);
    for (std::size_t r = 0; r < chunks.rows(); ++r) read.text += chunks.text(r, 1);
    read.text.erase(0, static_cast<std::size_t>(offset - start));
    return read;
  });
}

}  // namespace cbit::store
