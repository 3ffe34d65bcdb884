// Database::Listen on PostgreSQL: one connection that only LISTENs, served
// by a thread that sleeps in poll() until the server sends a notification
// or the handle is destroyed (an eventfd wakes it). A lost connection is
// reported, and opened again with a growing pause (0.1 s to 5 s).
#include <poll.h>
#include <spdlog/spdlog.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <system_error>
#include <thread>

#include "store/postgres/pg.h"
#include "util/unique_fd.h"

namespace cbit::store::pg {
namespace {

class PgListener final : public Subscription {
 public:
  PgListener(PostgresOptions o, std::string channel,
             std::function<void(std::string_view)> on_message,
             std::function<void(bool)> on_listening)
      : opts_(std::move(o)),
        channel_(std::move(channel)),
        on_message_(std::move(on_message)),
        on_listening_(std::move(on_listening)),
        wake_(eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)) {
    if (!wake_) throw std::system_error(errno, std::generic_category(), "eventfd");
    thread_ = std::thread([this] { Run(); });
  }
  ~PgListener() override {
    stop_ = true;
    const std::uint64_t one = 1;
    [[maybe_unused]] auto n = write(wake_.get(), &one, sizeof one);
    thread_.join();
  }

 private:
  void Run() {
    std::chrono::milliseconds pause{100};
    bool warned = false;
    while (!stop_) {
      PGconn* conn = nullptr;
      bool listening = false;
      try {
        conn = Connect(opts_, "cbit-listen");
        SendListen(conn);
        warned = false;
        pause = std::chrono::milliseconds{100};
        on_listening_(true);
        listening = true;
        Serve(conn);
      } catch (const DbError& e) {
        if (!warned) spdlog::warn("listening on '{}': {}; trying again", channel_, e.what());
        warned = true;
      }
      if (listening && !stop_) on_listening_(false);
      PQfinish(conn);
      if (!stop_) Sleep(pause);
      pause = std::min(pause * 2, std::chrono::milliseconds{5000});
    }
  }

  void SendListen(PGconn* conn) {
    char* quoted = PQescapeIdentifier(conn, channel_.c_str(), channel_.size());
    if (!quoted) throw DbError(DbErrorKind::kOther, PQerrorMessage(conn));
    std::string sql = std::string("LISTEN ") + quoted;
    PQfreemem(quoted);
    PGresult* r = PQexec(conn, sql.c_str());
    bool ok = PQresultStatus(r) == PGRES_COMMAND_OK;
    PQclear(r);
    if (!ok) throw DbError(DbErrorKind::kUnavailable, PQerrorMessage(conn));
  }

  // Hands every notification to on_message until the connection is lost
  // (returns) or the handle is destroyed.
  void Serve(PGconn* conn) {
    for (;;) {
      pollfd fds[] = {{PQsocket(conn), POLLIN, 0}, {wake_.get(), POLLIN, 0}};
      if (poll(fds, 2, -1) < 0) {
        if (errno == EINTR) continue;
        throw DbError(DbErrorKind::kUnavailable, "poll failed");
      }
      if (stop_) return;
      if (PQconsumeInput(conn) != 1 || PQstatus(conn) != CONNECTION_OK) {
        spdlog::warn("listening on '{}': connection lost: {}", channel_, PQerrorMessage(conn));
        return;
      }
      while (PGnotify* n = PQnotifies(conn)) {
        on_message_(n->extra);
        PQfreemem(n);
      }
    }
  }

  void Sleep(std::chrono::milliseconds d) {
    pollfd fd{wake_.get(), POLLIN, 0};
    poll(&fd, 1, static_cast<int>(d.count()));
  }

  const PostgresOptions opts_;
  const std::string channel_;
  std::function<void(std::string_view)> on_message_;
  std::function<void(bool)> on_listening_;
  UniqueFd wake_;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

}  // namespace

std::unique_ptr<Subscription> Listen(const PostgresOptions& o, const std::string& channel,
                                     std::function<void(std::string_view)> on_message,
                                     std::function<void(bool)> on_listening) {
  return std::make_unique<PgListener>(o, channel, std::move(on_message), std::move(on_listening));
}

}  // namespace cbit::store::pg
