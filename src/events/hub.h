// The live event stream of GET /events: one thread reads the database for
// every stream at once, and pushes each event to the streams whose filter
// it matches (httpd::PushStream: no thread per stream).
//
// It reads when woken (a transaction of this process wrote job history, or
// another controller's NOTIFY on PostgreSQL), and while any stream is open
// at least every `poll` (changes a NOTIFY does not announce: other
// controllers' new jobs, clients' heartbeats). With no stream open and no
// change, it does nothing. The last `kept` events stay in memory, so that a
// stream resuming from one of them (Last-Event-ID) costs no database read.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "events/format.h"
#include "events/sequencer.h"
#include "httpd/message.h"
#include "store/event_rows.h"

namespace cbit::events {

/// Where events come from (the store; a fake in unit tests).
class Source {
 public:
  virtual ~Source() = default;
  virtual store::JobEventBatch JobEventsAfter(Id after, int limit) = 0;
  virtual Id LatestJobEvent() = 0;
  virtual std::vector<store::ClientState> ClientStates() = 0;
};

struct HubOptions {
  /// Events kept in memory for resuming streams.
  std::size_t kept = 4096;
  /// A resume whose events pass this many bytes gets `reset` instead (it
  /// must stay under the server's push backlog, or the stream is dropped).
  std::size_t replay_bytes = 1 << 20;
  /// Reads at least this often while a stream is open.
  std::chrono::milliseconds poll{1000};
  /// A comment to every stream this often.
  std::chrono::milliseconds keepalive{std::chrono::seconds(20)};
  /// While a missing id is held open (sequencer.h): read again after this.
  std::chrono::milliseconds hold_retry{20};
  /// Rows per read.
  int batch = 500;
};

class Hub {
 public:
  /// Reads where the events stand now (throws store::DbError) and starts
  /// its thread.
  Hub(Source& source, HubOptions options);
  ~Hub();
  Hub(const Hub&) = delete;
  Hub& operator=(const Hub&) = delete;

  /// Something changed: read now. Cheap, never blocks on the database.
  void Wake();
  /// Adds a stream. With `since`, it first gets the events after that id
  /// which are kept (or `reset` when they are not); then `ready`, then
  /// every new event its filter matches, and each build client's state.
  void Subscribe(std::shared_ptr<httpd::PushStream> stream, Filter filter, std::optional<Id> since);
  /// Streams open (closed ones leave at the next event or keep-alive).
  std::size_t streams() const;
  /// The newest event delivered.
  Id cursor() const;
  /// Database reads done so far (job events and clients).
  std::uint64_t reads() const;
  /// Times the hub's thread was woken from its wait.
  std::uint64_t wakeups() const;

 private:
  struct Kept {
    Id id;
    store::JobEvent event;  ///< for the filters; its text below
    std::string text;
  };
  struct Subscriber {
    std::shared_ptr<httpd::PushStream> stream;
    Filter filter;
    bool has_clients = false;  ///< got every client's state
  };

  using Clock = std::chrono::steady_clock;
  /// What one pass of the thread does, decided under the lock.
  struct Plan {
    bool jobs = false, clients = false, keepalive = false;
  };

  void Run();
  Plan Decide(Clock::time_point now);
  /// When the thread must look again without being woken.
  Clock::time_point Deadline(Clock::time_point now) const;
  /// Reads new job events and pushes them (the lock not held while reading).
  void ReadJobs();
  void ReadClients();
  /// Under the lock: replays to the streams waiting to start, and starts them.
  void StartPending();
  void KeepAlive();
  /// Sends `text` to the subscribers `matches` accepts; drops closed ones.
  template <typename Match>
  void Fanout(const std::string& text, Match matches);
  /// The events to replay after `since`, or nullopt when a reset is due.
  std::optional<std::vector<const Kept*>> Replay(Id since, const Filter& f, std::string& why) const;

  Source& source_;
  const HubOptions options_;
  Sequencer seq_;  ///< the thread's only

  mutable std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;
  bool woken_ = false;     ///< a change to read
  bool notified_ = false;  ///< Wake or Subscribe since the thread last looked
  Id cursor_ = 0;
  Id floor_ = 0;  ///< every event above it, up to cursor_, is in kept_
  std::deque<Kept> kept_;
  std::vector<Subscriber> subs_;
  struct Pending {
    Subscriber sub;
    std::optional<Id> since;
  };
  std::vector<Pending> pending_;  ///< started by the thread after a read
  std::map<Id, store::ClientState> clients_;
  std::uint64_t reads_ = 0, wakeups_ = 0;
  bool failing_ = false;  ///< the last read failed (warned once)
  Clock::time_point next_poll_{}, next_keepalive_{}, next_hold_{};
  std::thread thread_;
};

}  // namespace cbit::events
