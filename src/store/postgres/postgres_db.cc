// PostgreSQL backend over libpq: a pool of connections opened lazily, each
// with a connect timeout and a server-side statement timeout. Statements are
// prepared once per connection (keyed by SQL text) and run with text
// parameters, so the server plans them once.
#include <libpq-fe.h>
#include <spdlog/spdlog.h>

#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "store/db.h"
#include "store/pool.h"
#include "store/postgres/pg.h"

namespace cbit::store {
namespace {

constexpr std::chrono::milliseconds kPoolWait{10000};

struct ResultDeleter {
  void operator()(PGresult* r) const { PQclear(r); }
};
using PgResult = std::unique_ptr<PGresult, ResultDeleter>;

struct StringHash {
  using is_transparent = void;
  std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
};

DbErrorKind KindOf(std::string_view sqlstate) {
  if (sqlstate == "23505") return DbErrorKind::kUnique;
  if (sqlstate == "23503") return DbErrorKind::kForeignKey;
  // 08: connection exceptions; 57014: statement timeout; 57P0x: shutdown.
  if (sqlstate.starts_with("08") || sqlstate == "57014" || sqlstate.starts_with("57P")) {
    return DbErrorKind::kUnavailable;
  }
  return DbErrorKind::kOther;
}

class PgConnection final : public Connection {
 public:
  explicit PgConnection(const PostgresOptions& o) : conn_(pg::Connect(o, "cbit")) {}
  ~PgConnection() override { PQfinish(conn_); }

  /// True when the connection is healthy and outside a transaction.
  bool idle() const {
    return PQstatus(conn_) == CONNECTION_OK && PQtransactionStatus(conn_) == PQTRANS_IDLE;
  }

  using Connection::Defer;
  using Connection::Exec;

  const Capabilities& capabilities() const override { return PostgresCapabilities(); }

  Result Exec(std::string_view sql, std::span<const Param> params) override {
    queue_.push_back(Pend(sql, params));
    return ToResult(Flush().back().get());
  }

  std::vector<Result> ExecAll(std::span<const Statement> statements) override {
    for (const Statement& s : statements) queue_.push_back(Pend(s.sql, s.params));
    std::vector<PgResult> all = Flush();
    std::vector<Result> out;
    for (std::size_t i = all.size() - statements.size(); i < all.size(); ++i) {
      out.push_back(ToResult(all[i].get()));
    }
    return out;
  }

  static Result ToResult(const PGresult* r) {
    const int rows = PQntuples(r);
    const int columns = PQnfields(r);
    Result out(static_cast<std::size_t>(columns));
    std::size_t bytes = 0;
    for (int row = 0; row < rows; ++row)
      for (int c = 0; c < columns; ++c) bytes += PQgetlength(r, row, c);
    out.Reserve(static_cast<std::size_t>(rows) * columns, bytes);
    for (int row = 0; row < rows; ++row) {
      for (int c = 0; c < columns; ++c) {
        if (PQgetisnull(r, row, c)) {
          out.AddNull();
        } else {
          out.Add({PQgetvalue(r, row, c), static_cast<std::size_t>(PQgetlength(r, row, c))});
        }
      }
    }
    return out;
  }

  void Defer(std::string_view sql, std::span<const Param> params) override {
    queue_.push_back(Pend(sql, params));
  }

  // READ COMMITTED for both: writers rely on unique constraints and
  // ON CONFLICT, not on serialisable snapshots. BEGIN and COMMIT travel with
  // the statements next to them, so they cost no round trip of their own.
  void Begin(bool write) override { queue_.push_back(Pending{"BEGIN", "", {}}); }
  void Commit() override {
    queue_.push_back(Pending{"COMMIT", "", {}});
    Flush();
  }
  void Rollback() override {
    queue_.clear();
    ExecScript("ROLLBACK");
  }

  void ExecScript(std::string_view sql) override {
    PgResult r(PQexec(conn_, std::string(sql).c_str()));
    Check(r.get(), sql);
  }

 private:
  /// A statement waiting to be sent: prepared (`name`) or plain (`sql`).
  struct Pending {
    std::string sql;
    std::string name;
    std::vector<std::optional<std::string>> params;
  };

  Pending Pend(std::string_view sql, std::span<const Param> params) {
    Pending p{std::string(sql), Prepare(sql), {}};
    p.params.reserve(params.size());
    for (const Param& v : params) {
      if (const auto* n = std::get_if<std::int64_t>(&v)) {
        p.params.emplace_back(std::to_string(*n));
      } else if (const auto* s = std::get_if<std::string>(&v)) {
        p.params.emplace_back(*s);
      } else {
        p.params.emplace_back();
      }
    }
    return p;
  }

  // Sends every queued statement in one pipeline and reads their results in
  // order: one round trip however many statements a transaction queued.
  // Returns every statement's result; throws the first error met (the
  // statements after a failed one are skipped by the server).
  std::vector<PgResult> Flush() {
    std::vector<Pending> batch;
    batch.swap(queue_);
    std::vector<PgResult> results;
    if (batch.empty()) return results;
    if (PQenterPipelineMode(conn_) != 1) Lost("cannot enter pipeline mode");
    for (const Pending& p : batch) {
      std::vector<const char*> values;
      for (const auto& v : p.params) values.push_back(v ? v->c_str() : nullptr);
      int n = static_cast<int>(values.size());
      int ok =
          p.name.empty()
              ? PQsendQueryParams(conn_, p.sql.c_str(), 0, nullptr, nullptr, nullptr, nullptr, 0)
              : PQsendQueryPrepared(conn_, p.name.c_str(), n, values.data(), nullptr, nullptr, 0);
      if (ok != 1) Lost("cannot send");
    }
    if (PQpipelineSync(conn_) != 1) Lost("cannot sync");
    std::optional<DbError> error;
    for (const Pending& p : batch) {
      PgResult r(PQgetResult(conn_));
      if (!r) Lost("no result");
      while (PGresult* extra = PQgetResult(conn_)) PQclear(extra);  // to the query's end
      ExecStatusType st = PQresultStatus(r.get());
      if (!error && st != PGRES_PIPELINE_ABORTED) {
        try {
          Check(r.get(), p.sql);
        } catch (const DbError& e) {
          error = e;
        }
      }
      results.push_back(std::move(r));
    }
    PgResult sync(PQgetResult(conn_));
    if (!sync || PQresultStatus(sync.get()) != PGRES_PIPELINE_SYNC) Lost("pipeline out of step");
    PQexitPipelineMode(conn_);
    if (error) throw *error;
    return results;
  }

  [[noreturn]] void Lost(const char* what) const {
    throw DbError(DbErrorKind::kUnavailable,
                  std::string("postgres: ") + what + ": " + PQerrorMessage(conn_));
  }

  const std::string& Prepare(std::string_view sql) {
    if (auto it = names_.find(sql); it != names_.end()) return it->second;
    std::string name = "s" + std::to_string(names_.size());
    PgResult r(PQprepare(conn_, name.c_str(), std::string(sql).c_str(), 0, nullptr));
    Check(r.get(), sql);
    return names_.emplace(std::string(sql), std::move(name)).first->second;
  }

  void Check(const PGresult* r, std::string_view sql) const {
    ExecStatusType st = r ? PQresultStatus(r) : PGRES_FATAL_ERROR;
    if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK) return;
    if (PQstatus(conn_) == CONNECTION_BAD) {
      throw DbError(DbErrorKind::kUnavailable,
                    std::string("postgres: connection lost: ") + PQerrorMessage(conn_));
    }
    const char* state = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : nullptr;
    std::string msg = r ? PQresultErrorMessage(r) : PQerrorMessage(conn_);
    while (!msg.empty() && msg.back() == '\n') msg.pop_back();
    throw DbError(KindOf(state ? state : ""), "postgres: " + msg + " in: " + std::string(sql));
  }

  PGconn* conn_ = nullptr;
  std::vector<Pending> queue_;
  std::unordered_map<std::string, std::string, StringHash, std::equal_to<>> names_;
};

class PgDatabase final : public Database {
 public:
  explicit PgDatabase(const PostgresOptions& o)
      : opts_(o),
        pool_(
            o.pool_size, kPoolWait, [o] { return std::make_unique<PgConnection>(o); },
            [](Connection& c) { return static_cast<PgConnection&>(c).idle(); }) {}
  const Capabilities& capabilities() const override { return PostgresCapabilities(); }
  Lease Acquire() override { return pool_.Acquire(this); }
  PoolStats pool_stats() const override { return pool_.stats(); }
  std::unique_ptr<Subscription> Listen(const std::string& channel,
                                       std::function<void(std::string_view)> on_message,
                                       std::function<void(bool)> on_listening) override {
    return pg::Listen(opts_, channel, std::move(on_message), std::move(on_listening));
  }

 protected:
  void Release(std::unique_ptr<Connection> c) override { pool_.Release(std::move(c)); }

 private:
  PostgresOptions opts_;
  ConnectionPool pool_;
};

}  // namespace

PGconn* pg::Connect(const PostgresOptions& o, const char* application_name) {
  const std::string timeout = std::to_string(o.connect_timeout.count());
  const std::string options = "-c statement_timeout=" + std::to_string(o.statement_timeout.count());
  // A dead peer must not hang a call past the statement deadline either.
  const std::string tcp_timeout = std::to_string(o.statement_timeout.count() + 5000);
  // Keywords after the expanded conninfo (dbname) override it; the ones
  // before are defaults it may override. Keepalives find a dead peer of an
  // idle connection (a listener's) within ~25 s.
  const char* keys[] = {"application_name", "keepalives_idle",  "keepalives_interval",
                        "keepalives_count", "dbname",           "connect_timeout",
                        "options",          "tcp_user_timeout", nullptr};
  const char* values[] = {
      application_name,    "10",   "5", "3", o.conninfo.c_str(), timeout.c_str(), options.c_str(),
      tcp_timeout.c_str(), nullptr};
  PGconn* conn = PQconnectdbParams(keys, values, /*expand_dbname=*/1);
  if (!conn || PQstatus(conn) != CONNECTION_OK) {
    std::string msg = conn ? PQerrorMessage(conn) : "out of memory";
    PQfinish(conn);
    throw DbError(DbErrorKind::kUnavailable, "postgres: cannot connect: " + msg);
  }
  // Notices ("relation already exists, skipping") go to the log, not stderr.
  PQsetNoticeProcessor(
      conn, [](void*, const char* msg) { spdlog::debug("postgres: {}", msg); }, nullptr);
  return conn;
}

const Capabilities& PostgresCapabilities() {
  static constexpr Capabilities kCapabilities{
      .name = "postgres",
      .listen_notify = true,
      .group_commit = false,
      .server_round_trips = true,
      .planner_statistics = true,
      .job_ids = JobIdSource::kSequence,
      .table_exists_sql =
          "SELECT count(*) FROM information_schema.tables "
          "WHERE table_schema = current_schema() AND table_name = $1",
      .ddl_auto_id = "BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY",
      // A select-then-insert of an instance can race between connections.
      .ddl_nulls_not_distinct = "NULLS NOT DISTINCT",
      .ddl_bytewise = "COLLATE \"C\"",
      // Concurrent transactions commit their sequence values out of order.
      // (A snapshot's xmax would not do as the mark: running transactions
      // newer than the last one completed lie past it, and past its xmin.)
      .history_xmin_sql = "SELECT pg_snapshot_xmin(pg_current_snapshot())::text",
      .history_mark_sql = "SELECT pg_current_xact_id()::text",
  };
  return kCapabilities;
}

std::unique_ptr<Database> OpenPostgres(const PostgresOptions& opts) {
  return std::make_unique<PgDatabase>(opts);
}

}  // namespace cbit::store
