#include "store/migrations.h"

#include <stdexcept>
#include <utility>

#include "store/version_keys.h"

namespace cbit::store {
namespace {

// pyBit 1.0's schema, so an existing pyBit database is version 1 once it has
// a schema_version row. Statuses are inserted in pyBit's id order (Waiting 1
// … Done 7) without explicit ids, so PostgreSQL's identity stays in step.
constexpr std::string_view kPyBitSchema = R"sql(
CREATE TABLE arch (id {{id}}, name TEXT NOT NULL UNIQUE);
CREATE TABLE distribution (id {{id}}, name TEXT NOT NULL UNIQUE);
CREATE TABLE suite (id {{id}}, name TEXT NOT NULL UNIQUE);
CREATE TABLE format (id {{id}}, name TEXT NOT NULL UNIQUE);
CREATE TABLE status (id {{id}}, name TEXT NOT NULL UNIQUE);
CREATE TABLE buildclients (id {{id}}, name TEXT NOT NULL UNIQUE);
CREATE TABLE buildenv (id {{id}}, name TEXT NOT NULL UNIQUE);
CREATE TABLE package (
  id {{id}},
  name TEXT NOT NULL,
  version TEXT NOT NULL,
  UNIQUE (name, version));
CREATE TABLE packageinstance (
  id {{id}},
  package_id BIGINT NOT NULL REFERENCES package (id),
  buildenv_id BIGINT REFERENCES buildenv (id),
  arch_id BIGINT NOT NULL REFERENCES arch (id),
  suite_id BIGINT NOT NULL REFERENCES suite (id),
  dist_id BIGINT NOT NULL REFERENCES distribution (id),
  format_id BIGINT NOT NULL REFERENCES format (id),
  master BOOLEAN NOT NULL DEFAULT false);
CREATE TABLE suitearches (
  id {{id}},
  suite_id BIGINT NOT NULL REFERENCES suite (id),
  arch_id BIGINT NOT NULL REFERENCES arch (id),
  master_weight BIGINT NOT NULL DEFAULT 0,
  UNIQUE (suite_id, arch_id));
CREATE TABLE buildenvsuitearch (
  id {{id}},
  buildenv_id BIGINT NOT NULL REFERENCES buildenv (id),
  suitearch_id BIGINT NOT NULL REFERENCES suitearches (id),
  UNIQUE (buildenv_id, suitearch_id));
CREATE TABLE job (
  id {{id}},
  packageinstance_id BIGINT NOT NULL REFERENCES packageinstance (id),
  buildclient_id BIGINT REFERENCES buildclients (id));
CREATE TABLE jobstatus (
  id {{id}},
  job_id BIGINT NOT NULL REFERENCES job (id),
  status_id BIGINT NOT NULL REFERENCES status (id),
  time BIGINT NOT NULL);
CREATE TABLE buildrequest (
  id {{id}},
  job_id BIGINT NOT NULL UNIQUE REFERENCES job (id),
  method TEXT NOT NULL,
  uri TEXT NOT NULL,
  vcs_id TEXT NOT NULL,
  buildenv_name TEXT);
CREATE TABLE blacklist (id {{id}}, field TEXT NOT NULL, regex TEXT NOT NULL);
INSERT INTO status (name) VALUES
  ('Waiting'), ('Blocked'), ('Cancelled'), ('Building'), ('Failed'), ('Uploaded'), ('Done');
)sql";

// The current status is kept on the job itself so that job lists and status
// filters are plain joins instead of a "latest jobstatus" subquery per job.
// Existing jobs take the latest row of their history (by time, then id).
constexpr std::string_view kCbitAdditions = R"sql(
ALTER TABLE job ADD COLUMN status_id BIGINT REFERENCES status (id);
ALTER TABLE job ADD COLUMN status_time BIGINT;
UPDATE job SET
  status_id = (SELECT js.status_id FROM jobstatus js WHERE js.job_id = job.id
               ORDER BY js.time DESC, js.id DESC LIMIT 1),
  status_time = (SELECT js.time FROM jobstatus js WHERE js.job_id = job.id
                 ORDER BY js.time DESC, js.id DESC LIMIT 1);
CREATE INDEX job_status_idx ON job (status_id);
CREATE INDEX job_instance_idx ON job (packageinstance_id);
CREATE INDEX jobstatus_job_idx ON jobstatus (job_id);
CREATE INDEX packageinstance_package_idx ON packageinstance (package_id);
CREATE INDEX package_name_idx ON package (name);
CREATE UNIQUE INDEX packageinstance_combination_idx ON packageinstance
  (package_id, buildenv_id, arch_id, suite_id, dist_id, format_id) {{nulls_not_distinct}};
CREATE TABLE outbox (
  id {{id}},
  job_id BIGINT,
  routing_key TEXT NOT NULL,
  queue TEXT NOT NULL,
  body TEXT NOT NULL,
  created BIGINT NOT NULL);
)sql";

// Build logs, in chunks at byte offsets, per build attempt (one Building
// period). Unique offsets: two writers racing for the same end of a log
// cannot both append there.
constexpr std::string_view kJobLog = R"sql(
CREATE TABLE joblog (
  id {{id}},
  job_id BIGINT NOT NULL REFERENCES job (id),
  attempt INTEGER NOT NULL,
  offset_bytes BIGINT NOT NULL,
  data TEXT NOT NULL);
CREATE UNIQUE INDEX joblog_job_attempt_offset_idx ON joblog (job_id, attempt, offset_bytes);
)sql";

// The outbox sweep asks for the oldest rows not yet confirmed. The table
// churns (every row is deleted once its publish is confirmed): without an
// index the sweep read every dead row left since the last vacuum.
constexpr std::string_view kOutboxIndex = R"sql(
CREATE INDEX outbox_created_idx ON outbox (created, id);
)sql";

// Two indexes of migration 2 repeat the leading column of a unique index
// (package (name, version); packageinstance (package_id, …)), which answers
// the same lookups: each cost every submission an index insert for nothing.
constexpr std::string_view kDropRedundantIndexes = R"sql(
DROP INDEX package_name_idx;
DROP INDEX packageinstance_package_idx;
)sql";

// API tokens (web/api_token.h): only a digest of each is kept. A name is
// unique among the tokens still valid, so a revoked token's name can be
// given to its replacement.
constexpr std::string_view kApiTokens = R"sql(
CREATE TABLE api_token (
  id {{id}},
  name TEXT NOT NULL,
  digest TEXT NOT NULL UNIQUE,
  role TEXT NOT NULL,
  client TEXT NOT NULL DEFAULT '',
  queues TEXT NOT NULL DEFAULT '',
  created BIGINT NOT NULL,
  last_used BIGINT,
  revoked BIGINT);
CREATE UNIQUE INDEX api_token_valid_name_idx ON api_token (name) WHERE revoked IS NULL;
)sql";

// Forge pushes accepted with 202 and not yet handled (store/webhook_pushes.h).
constexpr std::string_view kWebhookPushes = R"sql(
CREATE TABLE webhook_push (
  id {{id}},
  forge TEXT NOT NULL,
  clone_url TEXT NOT NULL,
  ref TEXT NOT NULL,
  before_rev TEXT NOT NULL,
  after_rev TEXT NOT NULL,
  received BIGINT NOT NULL,
  attempts INTEGER NOT NULL DEFAULT 0,
  next_try BIGINT NOT NULL,
  claimed_until BIGINT,
  last_error TEXT,
  gave_up BIGINT);
)sql";

// Leases (docs/design.md, "Job life cycle"): when each client and each
// Building job was last heard from, in µs since the epoch, and why the
// controller moved a job (a lease that ran out), in its history.
constexpr std::string_view kLeases = R"sql(
ALTER TABLE job ADD COLUMN last_heard BIGINT;
ALTER TABLE buildclients ADD COLUMN last_heard BIGINT;
ALTER TABLE jobstatus ADD COLUMN reason TEXT;
)sql";

// The controller's message signing keys (queue/signing.h): every controller
// on the database signs with the oldest; clients accept any listed.
constexpr std::string_view kSigningKeys = R"sql(
CREATE TABLE signing_key (
  id {{id}},
  key_id TEXT NOT NULL UNIQUE,
  public_key TEXT NOT NULL,
  secret_key TEXT NOT NULL,
  created BIGINT NOT NULL);
)sql";

// Dashboard sign-in sessions (store/sessions.h): only a digest of each
// cookie's secret is kept, with the role the user had when signing in.
constexpr std::string_view kWebSessions = R"sql(
CREATE TABLE web_session (
  id {{id}},
  digest TEXT NOT NULL UNIQUE,
  user_name TEXT NOT NULL,
  role TEXT NOT NULL,
  client TEXT NOT NULL DEFAULT '',
  created BIGINT NOT NULL,
  expires BIGINT NOT NULL);
CREATE INDEX web_session_expires_idx ON web_session (expires);
)sql";

// What the client that built an attempt says about it when it reports the
// attempt's end (store/provenance.h): one row per job and attempt.
constexpr std::string_view kProvenance = R"sql(
CREATE TABLE build_provenance (
  id {{id}},
  job_id BIGINT NOT NULL REFERENCES job (id),
  attempt INTEGER NOT NULL,
  client TEXT NOT NULL DEFAULT '',
  client_version TEXT NOT NULL DEFAULT '',
  builder TEXT NOT NULL DEFAULT '',
  root_digest TEXT NOT NULL DEFAULT '',
  root_created TEXT NOT NULL DEFAULT '',
  buildinfo TEXT,
  recorded BIGINT NOT NULL);
CREATE UNIQUE INDEX build_provenance_job_attempt_idx ON build_provenance (job_id, attempt);
)sql";

// The queues each build client says it consumes, with its heartbeat
// (comma-separated; NULL until a client says). Job pages sorted by version,
// by the time of the current status or by client (store/job_pages.cc) read
// these indexes in order instead of sorting every job.
constexpr std::string_view kClientQueuesAndSortIndexes = R"sql(
ALTER TABLE buildclients ADD COLUMN queues TEXT;
CREATE INDEX package_version_idx ON package (version);
CREATE INDEX job_status_time_idx ON job ((COALESCE(status_time, 0)), id);
CREATE INDEX job_client_idx ON job (buildclient_id, id);
)sql";

// Job pages sorted by version go in Debian's version order: by a key whose
// bytes sort as the versions do (store/version_keys.h), compared byte by
// byte whatever the database's locale.
constexpr std::string_view kVersionKeys = R"sql(
ALTER TABLE package ADD COLUMN version_key TEXT {{bytewise}};
DROP INDEX package_version_idx;
CREATE INDEX package_version_key_idx ON package (version_key);
CREATE INDEX package_version_key_missing_idx ON package (id) WHERE version_key IS NULL;
)sql";

constexpr Migration kMigrations[] = {
    {1, "pyBit 1.0 schema", kPyBitSchema},
    {2, "current status on job, indexes, outbox", kCbitAdditions},
    {3, "build logs", kJobLog},
    {4, "outbox index for the sweep", kOutboxIndex},
    {5, "no indexes that repeat a unique index's leading column", kDropRedundantIndexes},
    {6, "API tokens", kApiTokens},
    {7, "forge pushes waiting for the webhook worker", kWebhookPushes},
    {8, "leases: last heard from, reasons in the history", kLeases},
    {9, "message signing keys", kSigningKeys},
    {10, "dashboard sign-in sessions", kWebSessions},
    {11, "build provenance per attempt", kProvenance},
    {12, "build clients' queues, indexes for sorted job pages", kClientQueuesAndSortIndexes},
    {13, "versions' sort keys", kVersionKeys, FillVersionKeys},
};

std::string_view MacroValue(std::string_view macro, const Capabilities& backend) {
  // Never reusing an id after a delete: a client may still hold a deleted
  // job's id.
  if (macro == "id") return backend.ddl_auto_id;
  if (macro == "nulls_not_distinct") return backend.ddl_nulls_not_distinct;
  if (macro == "bytewise") return backend.ddl_bytewise;
  throw std::invalid_argument("unknown DDL macro {{" + std::string(macro) + "}}");
}

}  // namespace

std::span<const Migration> Migrations() { return kMigrations; }

int LatestSchemaVersion() { return std::size(kMigrations); }

std::string ExpandDdl(std::string_view ddl, const Capabilities& backend) {
  std::string out;
  std::size_t pos = 0;
  for (;;) {
    std::size_t open = ddl.find("{{", pos);
    if (open == std::string_view::npos) break;
    std::size_t close = ddl.find("}}", open);
    if (close == std::string_view::npos) throw std::invalid_argument("unterminated {{ in DDL");
    out.append(ddl.substr(pos, open - pos));
    out.append(MacroValue(ddl.substr(open + 2, close - open - 2), backend));
    pos = close + 2;
  }
  out.append(ddl.substr(pos));
  return out;
}

}  // namespace cbit::store
