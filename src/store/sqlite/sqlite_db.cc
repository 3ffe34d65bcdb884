// SQLite backend: a pool of connections to one database file in WAL mode.
// Statements are prepared once per connection and kept, keyed by SQL text.
#include <sqlite3.h>

#include <charconv>
#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

#include "store/db.h"
#include "store/pool.h"

namespace cbit::store {
namespace {

constexpr int kBusyTimeoutMs = 10000;
constexpr std::chrono::milliseconds kPoolWait{10000};

DbErrorKind KindOf(int extended_code) {
  switch (extended_code) {
    case SQLITE_CONSTRAINT_UNIQUE:
    case SQLITE_CONSTRAINT_PRIMARYKEY:
      return DbErrorKind::kUnique;
    case SQLITE_CONSTRAINT_FOREIGNKEY:
      return DbErrorKind::kForeignKey;
  }
  switch (extended_code & 0xff) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return DbErrorKind::kUnavailable;
  }
  return DbErrorKind::kOther;
}

// A prepared statement and, for each of its SQLite parameter slots, which of
// our $N parameters goes there: SQLite numbers named parameters in order of
// first appearance, so "$2 … $1" must not be bound positionally.
struct Prepared {
  sqlite3_stmt* stmt = nullptr;
  std::vector<int> param_of_slot;  // slot i+1 takes params[param_of_slot[i]]
};

struct StringHash {
  using is_transparent = void;
  std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
};

// The database's one writer at a time, with a timeout. Not std::timed_mutex:
// its try_lock_for waits in pthread_mutex_clocklock, which ThreadSanitizer
// (g++ 12) does not see, so every unlock looked like one of a free mutex.
class WriteLock {
 public:
  bool TryLockFor(std::chrono::milliseconds timeout) {
    std::unique_lock lock(mu_);
    if (!free_.wait_for(lock, timeout, [&] { return !held_; })) return false;
    held_ = true;
    return true;
  }
  void Unlock() {
    {
      std::lock_guard lock(mu_);
      held_ = false;
    }
    free_.notify_one();
  }
  /// Unlocks when its holder goes (std::unique_ptr's deleter).
  struct Unlocker {
    void operator()(WriteLock* l) const { l->Unlock(); }
  };

 private:
  std::mutex mu_;
  std::condition_variable free_;
  bool held_ = false;
};

class SqliteConnection final : public Connection {
 public:
  SqliteConnection(const std::string& path, bool synchronous_full,
                   std::shared_ptr<WriteLock> write_lock)
      : write_lock_(std::move(write_lock)) {
    int rc =
        sqlite3_open_v2(path.c_str(), &db_,
                        SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
    if (rc != SQLITE_OK) {
      std::string msg = db_ ? sqlite3_errmsg(db_) : sqlite3_errstr(rc);
      sqlite3_close(db_);
      throw DbError(DbErrorKind::kUnavailable, "cannot open " + path + ": " + msg);
    }
    sqlite3_extended_result_codes(db_, 1);
    sqlite3_busy_timeout(db_, kBusyTimeoutMs);
    try {
      ExecScript("PRAGMA journal_mode=WAL; PRAGMA foreign_keys=ON;");
      // Statement journals (one per savepoint of a group commit) and sort
      // spills in memory rather than in a temporary file created, written
      // and unlinked per transaction; the database read through a memory
      // map (up to 1 GiB) rather than a read() per page.
      ExecScript("PRAGMA temp_store=MEMORY; PRAGMA mmap_size=1073741824;");
      ExecScript(synchronous_full ? "PRAGMA synchronous=FULL;" : "PRAGMA synchronous=NORMAL;");
    } catch (...) {
      sqlite3_close(db_);
      throw;
    }
  }

  const Capabilities& capabilities() const override { return SqliteCapabilities(); }

  ~SqliteConnection() override {
    ReleaseWrite();
    for (auto& [sql, p] : stmts_) sqlite3_finalize(p.stmt);
    sqlite3_close(db_);
  }

  /// True outside a transaction: the connection can serve another lease.
  bool idle() const { return sqlite3_get_autocommit(db_) != 0; }

  using Connection::Exec;
  Result Exec(std::string_view sql, std::span<const Param> params) override {
    Prepared& p = Prepare(sql);
    sqlite3_stmt* st = p.stmt;
    for (std::size_t slot = 0; slot < p.param_of_slot.size(); ++slot) {
      std::size_t n = p.param_of_slot[slot];
      if (n >= params.size()) {
        sqlite3_clear_bindings(st);
        throw DbError(DbErrorKind::kOther,
                      "missing parameter $" + std::to_string(n + 1) + " for: " + std::string(sql));
      }
      Bind(st, static_cast<int>(slot + 1), params[n]);
    }
    // A write outside a transaction queues on the same lock as transactions.
    std::unique_ptr<WriteLock, WriteLock::Unlocker> autocommit_write;
    if (!holds_write_ && sqlite3_get_autocommit(db_) && !sqlite3_stmt_readonly(st)) {
      if (!write_lock_->TryLockFor(std::chrono::milliseconds(kBusyTimeoutMs))) {
        sqlite3_clear_bindings(st);
        throw DbError(DbErrorKind::kUnavailable, "timed out waiting for the SQLite write lock");
      }
      autocommit_write.reset(write_lock_.get());
    }
    const int columns = sqlite3_column_count(st);
    Result out(static_cast<std::size_t>(columns));
    for (;;) {
      int rc = sqlite3_step(st);
      if (rc == SQLITE_DONE) break;
      if (rc != SQLITE_ROW) {
        DbError err = Error(sqlite3_extended_errcode(db_));
        sqlite3_reset(st);
        sqlite3_clear_bindings(st);
        throw err;
      }
      for (int c = 0; c < columns; ++c) {
        if (sqlite3_column_type(st, c) == SQLITE_NULL) {
          out.AddNull();
        } else {
          auto* text = reinterpret_cast<const char*>(sqlite3_column_text(st, c));
          out.Add({text, static_cast<std::size_t>(sqlite3_column_bytes(st, c))});
        }
      }
    }
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    return out;
  }

  // Writers queue on an in-process lock before BEGIN IMMEDIATE: SQLite's own
  // busy handler sleeps (1, 2, 5 … 100 ms) instead of waking the next writer
  // when the lock frees, which made 8 concurrent submitters slower than one.
  // Statements go through Exec, so they are prepared once like the others.
  void Begin(bool write) override {
    if (write) {
      if (!write_lock_->TryLockFor(std::chrono::milliseconds(kBusyTimeoutMs)))
        throw DbError(DbErrorKind::kUnavailable, "timed out waiting for the SQLite write lock");
      holds_write_ = true;
    }
    try {
      Exec(write ? "BEGIN IMMEDIATE" : "BEGIN");
    } catch (...) {
      ReleaseWrite();
      throw;
    }
  }
  void Commit() override {
    Exec("COMMIT");  // on failure the caller rolls back, which releases
    ReleaseWrite();
  }
  void Rollback() override {
    try {
      Exec("ROLLBACK");
    } catch (...) {
      ReleaseWrite();
      throw;
    }
    ReleaseWrite();
  }

  void ExecScript(std::string_view sql) override {
    std::string text(sql);
    char* msg = nullptr;
    if (sqlite3_exec(db_, text.c_str(), nullptr, nullptr, &msg) != SQLITE_OK) {
      std::string what = msg ? msg : "unknown error";
      sqlite3_free(msg);
      throw DbError(KindOf(sqlite3_extended_errcode(db_)), "sqlite: " + what);
    }
  }

 private:
  void ReleaseWrite() {
    if (holds_write_) {
      holds_write_ = false;
      write_lock_->Unlock();
    }
  }

  std::shared_ptr<WriteLock> write_lock_;
  bool holds_write_ = false;
  DbError Error(int code) const {
    return DbError(KindOf(code), std::string("sqlite: ") + sqlite3_errmsg(db_));
  }

  Prepared& Prepare(std::string_view sql) {
    if (auto it = stmts_.find(sql); it != stmts_.end()) return it->second;
    Prepared p;
    if (sqlite3_prepare_v3(db_, sql.data(), static_cast<int>(sql.size()), SQLITE_PREPARE_PERSISTENT,
                           &p.stmt, nullptr) != SQLITE_OK) {
      throw DbError(KindOf(sqlite3_extended_errcode(db_)),
                    std::string("sqlite: ") + sqlite3_errmsg(db_) + " in: " + std::string(sql));
    }
    for (int slot = 1; slot <= sqlite3_bind_parameter_count(p.stmt); ++slot) {
      const char* name = sqlite3_bind_parameter_name(p.stmt, slot);
      int n = 0;
      if (!name || name[0] != '$' ||
          std::from_chars(name + 1, name + std::char_traits<char>::length(name), n).ec !=
              std::errc() ||
          n < 1) {
        sqlite3_finalize(p.stmt);
        throw DbError(DbErrorKind::kOther, "parameters must be written $N: " + std::string(sql));
      }
      p.param_of_slot.push_back(n - 1);
    }
    return stmts_.emplace(std::string(sql), p).first->second;
  }

  static void Bind(sqlite3_stmt* st, int slot, const Param& v) {
    if (const auto* i = std::get_if<std::int64_t>(&v)) {
      sqlite3_bind_int64(st, slot, *i);
    } else if (const auto* s = std::get_if<std::string>(&v)) {
      sqlite3_bind_text(st, slot, s->data(), static_cast<int>(s->size()), SQLITE_TRANSIENT);
    } else {
      sqlite3_bind_null(st, slot);
    }
  }

  sqlite3* db_ = nullptr;
  std::unordered_map<std::string, Prepared, StringHash, std::equal_to<>> stmts_;
};

class SqliteDatabase final : public Database {
 public:
  explicit SqliteDatabase(const SqliteOptions& o)
      : pool_(
            o.pool_size, kPoolWait,
            [path = o.path, full = o.synchronous_full, lock = std::make_shared<WriteLock>()] {
              return std::make_unique<SqliteConnection>(path, full, lock);
            },
            [](Connection& c) { return static_cast<SqliteConnection&>(c).idle(); }) {
    // Open one connection now so a bad path fails here, not on first use.
    Acquire();
  }
  const Capabilities& capabilities() const override { return SqliteCapabilities(); }
  Lease Acquire() override { return pool_.Acquire(this); }
  PoolStats pool_stats() const override { return pool_.stats(); }

 protected:
  void Release(std::unique_ptr<Connection> c) override { pool_.Release(std::move(c)); }

 private:
  ConnectionPool pool_;
};

}  // namespace

const Capabilities& SqliteCapabilities() {
  // One file, one controller, writers serialised by BEGIN IMMEDIATE.
  static constexpr Capabilities kCapabilities{
      .name = "sqlite",
      .listen_notify = false,
      .group_commit = true,
      .server_round_trips = false,
      .planner_statistics = false,
      .job_ids = JobIdSource::kAutoincrementCounter,
      .table_exists_sql = "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = $1",
      .ddl_auto_id = "INTEGER PRIMARY KEY AUTOINCREMENT",
      .ddl_nulls_not_distinct = "",
      .ddl_bytewise = "",
      .history_xmin_sql = "",  // one writer at a time
      .history_mark_sql = "",
  };
  return kCapabilities;
}

std::unique_ptr<Database> OpenSqlite(const SqliteOptions& opts) {
  if (opts.path.empty() || opts.path == ":memory:" || opts.path.starts_with("file::memory:")) {
    throw DbError(DbErrorKind::kOther,
                  "sqlite needs a database file (an in-memory database is per connection)");
  }
  return std::make_unique<SqliteDatabase>(opts);
}

}  // namespace cbit::store
