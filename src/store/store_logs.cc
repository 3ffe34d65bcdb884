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

std::int64_t LengthOf(Connection& c, Id job_id, int attempt) {
  Result last = c.Exec(kLastChunk, {job_id, std::int64_t{attempt}});
  if (last.empty()) return 0;
  return last.i64(0, 0) + static_cast<std::int64_t>(last.text(0, 1).size());
}

}  // namespace

LogAppend Store::AppendLog(Id job_id, std::optional<int> attempt, std::int64_t offset,
                           const std::string& data) {
  LogAppend out;
  Write([&](Connection& c) {
    JobLogState state = StateOf(c, job_id);
    int a = attempt.value_or(state.attempts);
    if (a < 1 || a > state.attempts) {
      throw Conflict("job " + std::to_string(job_id) + " has no build attempt " +
                     std::to_string(a) + " (it has had " + std::to_string(state.attempts) + ")");
    }
    std::int64_t length = LengthOf(c, job_id, a);
    if (offset > length) {
      throw Conflict("offset " + std::to_string(offset) + " is past the end of the log (length " +
                     std::to_string(length) + ")");
    }
    // A chunk sent again after a lost answer overlaps what is stored: only
    // its new tail is appended, so retries never duplicate text.
    auto skip = static_cast<std::size_t>(length - offset);
    if (skip < data.size()) {
      c.Exec(kInsertChunk, {job_id, std::int64_t{a}, length, data.substr(skip)});
      length += static_cast<std::int64_t>(data.size() - skip);
    }
    out = LogAppend{a, length};
  });
  return out;
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
