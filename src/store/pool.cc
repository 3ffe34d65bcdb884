#include "store/pool.h"

namespace cbit::store {
namespace {

// Wraps a backend connection to give its slot back when it is destroyed,
// however that happens (Release, Discard, pool shutdown).
class PooledConnection final : public Connection {
 public:
  PooledConnection(std::unique_ptr<Connection> inner, std::shared_ptr<ConnectionPool::Slots> s)
      : inner_(std::move(inner)), slots_(std::move(s)) {}
  ~PooledConnection() override {
    inner_.reset();
    std::lock_guard lock(slots_->mu);
    --slots_->open;
    slots_->freed.notify_one();
  }
  Connection& inner() { return *inner_; }

  using Connection::Defer;
  using Connection::Exec;
  Result Exec(std::string_view sql, std::span<const Param> params) override {
    return inner_->Exec(sql, params);
  }
  // Forwarded, or the base class would run deferred statements at once and
  // PostgreSQL would pay a round trip for each.
  void Defer(std::string_view sql, std::span<const Param> params) override {
    inner_->Defer(sql, params);
  }
  std::vector<Result> ExecAll(std::span<const Statement> statements) override {
    return inner_->ExecAll(statements);
  }
  const Capabilities& capabilities() const override { return inner_->capabilities(); }
  void Begin(bool write) override { inner_->Begin(write); }
  void Commit() override { inner_->Commit(); }
  void Rollback() override { inner_->Rollback(); }
  void ExecScript(std::string_view sql) override { inner_->ExecScript(sql); }

 private:
  std::unique_ptr<Connection> inner_;
  std::shared_ptr<ConnectionPool::Slots> slots_;
};

}  // namespace

ConnectionPool::ConnectionPool(int size, std::chrono::milliseconds wait,
                               std::function<std::unique_ptr<Connection>()> open,
                               std::function<bool(Connection&)> reusable)
    : size_(size < 1 ? 1 : size),
      wait_(wait),
      open_(std::move(open)),
      reusable_(std::move(reusable)) {}

ConnectionPool::~ConnectionPool() {
  std::vector<std::unique_ptr<Connection>> idle;
  {
    std::lock_guard lock(slots_->mu);
    idle.swap(idle_);
  }
}

Database::Lease ConnectionPool::Acquire(Database* owner) {
  std::unique_lock lock(slots_->mu);
  auto free = [&] { return !idle_.empty() || slots_->open < size_; };
  if (!free()) {
    ++stats_.waited;
    const auto began = std::chrono::steady_clock::now();
    const bool got = slots_->freed.wait_for(lock, wait_, free);
    stats_.wait_seconds +=
        std::chrono::duration<double>(std::chrono::steady_clock::now() - began).count();
    if (!got) {
      ++stats_.timeouts;
      throw DbError(DbErrorKind::kUnavailable, "no free database connection");
    }
  }
  ++stats_.acquired;
  if (!idle_.empty()) {
    auto c = std::move(idle_.back());
    idle_.pop_back();
    return Database::Lease(owner, std::move(c));
  }
  ++slots_->open;  // reserve the slot while connecting outside the lock
  lock.unlock();
  std::unique_ptr<Connection> inner;
  try {
    inner = open_();
  } catch (...) {
    lock.lock();
    --slots_->open;
    slots_->freed.notify_one();
    throw;
  }
  return Database::Lease(owner, std::make_unique<PooledConnection>(std::move(inner), slots_));
}

PoolStats ConnectionPool::stats() const {
  std::lock_guard lock(slots_->mu);
  PoolStats s = stats_;
  s.open = slots_->open;
  s.size = size_;
  return s;
}

void ConnectionPool::Release(std::unique_ptr<Connection> c) {
  if (!c) return;
  if (!reusable_(static_cast<PooledConnection&>(*c).inner())) return;  // destroyed: slot freed
  std::lock_guard lock(slots_->mu);
  idle_.push_back(std::move(c));
  slots_->freed.notify_one();
}

}  // namespace cbit::store
