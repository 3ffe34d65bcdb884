// The SQL seam: one small interface that SQLite and PostgreSQL both
// implement, so the store's queries are written once, in the dialect both
// understand ($1 parameters, INSERT … ON CONFLICT, RETURNING).
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "store/capabilities.h"

namespace cbit::store {

/// A bound parameter: NULL, an integer or text. Booleans are bound as 0/1.
using Param = std::variant<std::monostate, std::int64_t, std::string>;

/// Why a statement failed, as the layers above need to tell it apart.
enum class DbErrorKind {
  kUnique,       ///< a unique constraint was violated
  kForeignKey,   ///< the row is still referenced, or refers to a missing row
  kUnavailable,  ///< the server cannot be reached, or a deadline passed
  kOther,
};

struct DbError : std::runtime_error {
  DbError(DbErrorKind k, const std::string& what) : std::runtime_error(what), kind(k) {}
  DbErrorKind kind;
};

/// The rows a statement returned, materialised (cells as text or NULL).
class Result {
 public:
  Result() = default;
  /// An empty result of `columns` columns, filled row by row with Add/AddNull.
  explicit Result(std::size_t columns) : columns_(columns) {}
  Result(std::size_t columns, const std::vector<std::optional<std::string>>& cells);

  /// Room for `cells` cells holding `bytes` bytes of text in all.
  void Reserve(std::size_t cells, std::size_t bytes) {
    cells_.reserve(cells);
    text_.reserve(bytes);
  }
  void Add(std::string_view value) {
    cells_.push_back({text_.size(), static_cast<std::int64_t>(value.size())});
    text_.append(value);
  }
  void AddNull() { cells_.push_back({text_.size(), -1}); }

  std::size_t rows() const { return columns_ ? cells_.size() / columns_ : 0; }
  bool empty() const { return rows() == 0; }
  bool null(std::size_t r, std::size_t c) const { return cell(r, c).length < 0; }
  /// The text of a cell that is not NULL (throws DbError on NULL).
  std::string_view view(std::size_t r, std::size_t c) const;
  std::string text(std::size_t r, std::size_t c) const { return std::string(view(r, c)); }
  std::int64_t i64(std::size_t r, std::size_t c) const;
  std::optional<std::int64_t> opt_i64(std::size_t r, std::size_t c) const;
  /// PostgreSQL answers t/f, SQLite 1/0.
  bool boolean(std::size_t r, std::size_t c) const;

 private:
  // Every cell's text lives in one buffer: a result of many rows costs two
  // growing allocations, not one string object per cell.
  struct Cell {
    std::size_t offset;
    std::int64_t length;  ///< -1: NULL
  };
  const Cell& cell(std::size_t r, std::size_t c) const { return cells_[r * columns_ + c]; }
  std::size_t columns_ = 0;
  std::vector<Cell> cells_;
  std::string text_;
};

/// A statement with its parameters (Connection::ExecAll).
struct Statement {
  std::string sql;
  std::vector<Param> params;
};

/// One connection; used by one thread at a time.
class Connection {
 public:
  virtual ~Connection() = default;
  /// What its database can do, as Database::capabilities().
  virtual const Capabilities& capabilities() const = 0;
  /// Runs one statement. Throws DbError.
  virtual Result Exec(std::string_view sql, std::span<const Param> params) = 0;
  Result Exec(std::string_view sql, std::initializer_list<Param> params = {}) {
    return Exec(sql, std::span<const Param>(params.begin(), params.size()));
  }
  /// Queues a statement whose result is not needed; it runs at the latest
  /// with the next Exec or Commit, and its error (if any) is thrown there.
  /// PostgreSQL sends the queue in one pipeline (one round trip for many
  /// statements); SQLite, in process, runs it at once.
  virtual void Defer(std::string_view sql, std::span<const Param> params) { Exec(sql, params); }
  void Defer(std::string_view sql, std::initializer_list<Param> params = {}) {
    Defer(sql, std::span<const Param>(params.begin(), params.size()));
  }
  /// Runs statements in order and returns the rows of each. PostgreSQL
  /// sends them, with whatever was deferred, in one round trip.
  virtual std::vector<Result> ExecAll(std::span<const Statement> statements) {
    std::vector<Result> out;
    for (const Statement& s : statements) out.push_back(Exec(s.sql, s.params));
    return out;
  }
  /// Starts a transaction; `write` takes SQLite's write lock up front so two
  /// writers never deadlock on a lock upgrade.
  virtual void Begin(bool write) = 0;
  virtual void Commit() = 0;
  virtual void Rollback() = 0;
  /// Runs a migration script (several statements, no parameters).
  virtual void ExecScript(std::string_view sql) = 0;

  /// Runs `fn` once the current transaction has committed (InTransaction,
  /// Store::Write), before the writer returns; dropped if it rolls back.
  /// Work in a savepoint that rolled back inside a committed transaction
  /// keeps its hooks: use them for what is harmless to run once too often,
  /// like dropping cached rows.
  void AfterCommit(std::function<void()> fn) { after_commit_.push_back(std::move(fn)); }
  /// For the code that commits: runs (or drops) the hooks of the transaction.
  void RunAfterCommit() {
    auto hooks = std::move(after_commit_);
    after_commit_.clear();
    for (auto& fn : hooks) fn();
  }
  void DropAfterCommit() { after_commit_.clear(); }

 private:
  std::vector<std::function<void()>> after_commit_;
};

/// NOTIFYs on one channel, heard until this handle is destroyed.
class Subscription {
 public:
  virtual ~Subscription() = default;
};

/// What a connection pool has done since it was made.
struct PoolStats {
  std::uint64_t acquired = 0;  ///< leases handed out
  std::uint64_t waited = 0;    ///< of them, or of the timeouts, found no free slot at first
  std::uint64_t timeouts = 0;  ///< found none within the pool's deadline
  double wait_seconds = 0;     ///< spent waiting by those that waited
  int open = 0, size = 0;      ///< connections open now, and the limit
};

/// A pool of connections to one database.
class Database {
 public:
  virtual ~Database() = default;
  /// What the backend can do; its SQL where backends differ.
  virtual const Capabilities& capabilities() const = 0;

  class Lease {
   public:
    Lease(Database* db, std::unique_ptr<Connection> c) : db_(db), c_(std::move(c)) {}
    Lease(Lease&&) = default;
    ~Lease() {
      if (c_) db_->Release(std::move(c_));
    }
    Connection* operator->() { return c_.get(); }
    Connection& operator*() { return *c_; }
    /// Drops a broken connection instead of returning it to the pool.
    void Discard() { c_.reset(); }

   private:
    Database* db_;
    std::unique_ptr<Connection> c_;
  };

  /// Takes a connection from the pool, waiting up to the pool's deadline.
  virtual Lease Acquire() = 0;
  /// The pool's counts (zeros for a database without a pool).
  virtual PoolStats pool_stats() const { return {}; }

  /// Hears what other processes announce on `channel` (PostgreSQL's
  /// LISTEN/NOTIFY), on a connection and a thread of its own:
  /// `on_listening(true)` once LISTEN is in effect, `on_listening(false)`
  /// when the connection is lost (it reconnects, and says true again),
  /// `on_message` with each payload in between. nullptr where the database
  /// has no other clients to hear (SQLite: one controller per file).
  // The callbacks by value: a backend that listens keeps them.
  // NOLINTBEGIN(performance-unnecessary-value-param)
  virtual std::unique_ptr<Subscription> Listen(
      const std::string& channel, std::function<void(std::string_view payload)> on_message,
      std::function<void(bool listening)> on_listening) {
    return nullptr;
  }
  // NOLINTEND(performance-unnecessary-value-param)

 protected:
  friend class Lease;
  virtual void Release(std::unique_ptr<Connection> c) = 0;
};

/// A transaction on a pooled connection, begun when made and committed only
/// when told: left without Commit (an exception unwinding), it rolls back
/// and drops the hooks of AfterCommit. The connection is dropped instead of
/// pooled when even the rollback fails, or when it was lost.
class Transaction {
 public:
  /// `write` as Connection::Begin. Throws DbError when none can begin.
  Transaction(Database& db, bool write) : conn_(db.Acquire()) { conn_->Begin(write); }
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;
  ~Transaction();

  Connection& operator*() { return *conn_; }
  Connection* operator->() { return &*conn_; }

  /// Commits, then runs the hooks of AfterCommit. Throws DbError when the
  /// commit fails (the transaction then rolls back when destroyed).
  void Commit();
  /// The connection cannot be trusted any more (DbErrorKind::kUnavailable):
  /// dropped, not pooled, once the transaction is over.
  void ConnectionLost() { lost_ = true; }

 private:
  Database::Lease conn_;
  bool committed_ = false;
  bool lost_ = false;
};

/// Runs `fn` in a transaction, committing when it returns and rolling back
/// when it throws.
template <typename F>
auto InTransaction(Database& db, bool write, F&& fn) {
  Transaction tx(db, write);
  try {
    if constexpr (std::is_void_v<decltype(fn(*tx))>) {
      fn(*tx);
      tx.Commit();
    } else {
      auto r = fn(*tx);
      tx.Commit();
      return r;
    }
  } catch (const DbError& e) {
    if (e.kind == DbErrorKind::kUnavailable) tx.ConnectionLost();
    throw;
  }
}

struct SqliteOptions {
  std::string path;  ///< a file; ":memory:" is refused (each connection would see its own)
  int pool_size = 8;
  bool synchronous_full = true;  ///< fsync every commit (durable across power loss)
};
std::unique_ptr<Database> OpenSqlite(const SqliteOptions& opts);

struct PostgresOptions {
  std::string conninfo;  ///< libpq connection string ("host=… port=… dbname=… user=…")
  int pool_size = 8;
  std::chrono::milliseconds statement_timeout{10000};
  std::chrono::seconds connect_timeout{5};
};
std::unique_ptr<Database> OpenPostgres(const PostgresOptions& opts);

}  // namespace cbit::store
