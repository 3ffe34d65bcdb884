#include "queue/publish_pipeline.h"

#include <poll.h>
#include <spdlog/spdlog.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <algorithm>
#include <utility>

namespace cbit::queue {
namespace {

// After a failed connect, messages fail at once for this long instead of
// each waiting for a broker that is down; the outbox relay retries them.
constexpr auto kReconnectPause = std::chrono::seconds(1);

int Millis(Clock::duration d) {
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(d).count();
  return static_cast<int>(std::clamp<std::int64_t>(ms, 0, 60'000));
}

}  // namespace

PublishPipeline::PublishPipeline(const AmqpOptions& opts)
    : opts_(opts), channel_(opts), wake_fd_(::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)) {
  if (!wake_fd_) throw BrokerError("cannot create an eventfd");
  thread_ = std::thread([this] { Loop(); });
}

PublishPipeline::~PublishPipeline() {
  Drain(Clock::now() + std::min<Clock::duration>(opts_.deadline, std::chrono::seconds(2)));
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  Wake();
  thread_.join();
}

void PublishPipeline::Publish(Message m, Publisher::Done done) {
  bool wake = false;
  {
    std::lock_guard lock(mu_);
    if (!stop_) {
      queue_.push_back({std::move(m), std::move(done)});
      ++given_;
      done = nullptr;
      // Under load the thread finds the queue full on its own: only a
      // thread asleep in poll() needs the eventfd.
      wake = sleeping_;
    }
  }
  if (done) {
    done(false);  // stopping: the outbox keeps the message for the next run
    return;
  }
  if (wake) Wake();
}

void PublishPipeline::Wake() {
  std::uint64_t one = 1;
  (void)!::write(wake_fd_.get(), &one, sizeof one);
}

void PublishPipeline::Drain(Clock::time_point deadline) {
  std::unique_lock lock(mu_);
  const std::uint64_t target = given_;
  drain_deadline_ = deadline;
  lock.unlock();
  Wake();
  lock.lock();
  idle_cv_.wait(lock, [&] { return finished_ >= target; });
  drain_deadline_ = Clock::time_point::max();
}

void PublishPipeline::Loop() {
  for (;;) {
    std::deque<Queued> batch;
    bool give_up;
    {
      std::lock_guard lock(mu_);
      if (stop_ && queue_.empty() && unconfirmed_.empty()) break;
      batch.swap(queue_);
      give_up = stop_ || Clock::now() >= drain_deadline_;
    }
    if (give_up) {
      for (auto& q : batch) Finish(q.done, false);
      FailUnconfirmed();
      channel_.Reset();
      continue;
    }
    ReadConfirms();  // also notices a connection the broker closed
    SendAll(batch);
    if (!unconfirmed_.empty() && Clock::now() - unconfirmed_.front().sent > opts_.deadline) {
      spdlog::warn("amqp: no publisher confirm within {} ms; reconnecting", opts_.deadline.count());
      FailUnconfirmed();
      channel_.Reset();
    }
    WaitForWork();
  }
}

void PublishPipeline::SendAll(std::deque<Queued>& batch) {
  for (auto& q : batch) {
    const auto now = Clock::now();
    if (!channel_.connected() && now < retry_after_) {
      Finish(q.done, false);
      continue;
    }
    try {
      auto deadline = now + opts_.deadline;
      if (!channel_.connected()) channel_.Connect(deadline);
      std::uint64_t tag = channel_.Send(q.message, deadline);
      unconfirmed_.push_back({tag, std::move(q.done), now});
    } catch (const BrokerError& e) {
      spdlog::warn("amqp: publishing failed: {}", e.what());
      Finish(q.done, false);
      FailUnconfirmed();
      channel_.Reset();
      retry_after_ = Clock::now() + kReconnectPause;
    }
  }
}

// Reads what the broker has sent, without waiting and without a read that
// would find nothing: rabbitmq-c's non-blocking wait costs a recv and a
// poll each time it finds nothing, which was most of this thread's system
// calls (and delayed the next send). So it reads only when the socket is
// known readable (the last poll said so, or one poll now does), and then
// only as long as whole frames are buffered.
void PublishPipeline::ReadConfirms() {
  if (!channel_.connected()) return;
  try {
    amqp_connection_state_t c = channel_.conn().get();
    bool readable =
        std::exchange(socket_readable_, false) || amqp_frames_enqueued(c) || amqp_data_in_buffer(c);
    if (!readable) {
      pollfd p{amqp_get_sockfd(c), POLLIN, 0};
      if (::poll(&p, 1, 0) <= 0) return;
    }
    amqp_frame_t frame;
    bool refused = false;
    // A deadline in the past: take what has arrived, do not wait.
    while (channel_.conn().WaitFrame(&frame, Clock::time_point{})) {
      if (frame.frame_type != AMQP_FRAME_METHOD) continue;
      if (frame.payload.method.id == AMQP_BASIC_ACK_METHOD) {
        const auto* ack = static_cast<const amqp_basic_ack_t*>(frame.payload.method.decoded);
        Confirm(ack->delivery_tag, ack->multiple, true);
      } else if (frame.payload.method.id == AMQP_BASIC_NACK_METHOD) {
        const auto* nack = static_cast<const amqp_basic_nack_t*>(frame.payload.method.decoded);
        spdlog::warn("amqp: the broker refused a message (basic.nack); reconnecting");
        Confirm(nack->delivery_tag, nack->multiple, false);
        refused = true;
      }
      if (!amqp_frames_enqueued(c) && !amqp_data_in_buffer(c)) break;
    }
    if (refused) {
      // A channel that published to a quorum queue while its leader was on
      // a node that died can go on being refused; a new one is not.
      FailUnconfirmed();
      channel_.Reset();
      return;
    }
    amqp_maybe_release_buffers(channel_.conn().get());
  } catch (const BrokerError& e) {
    spdlog::warn("amqp: connection lost: {}", e.what());
    FailUnconfirmed();
    channel_.Reset();
  }
}

// Confirms on one channel may come out of order (different queues), one by
// one or for every tag up to `tag` at once.
void PublishPipeline::Confirm(std::uint64_t tag, bool multiple, bool ok) {
  if (multiple) {
    while (!unconfirmed_.empty() && unconfirmed_.front().tag <= tag) {
      Finish(unconfirmed_.front().done, ok);
      unconfirmed_.pop_front();
    }
    return;
  }
  auto it = std::find_if(unconfirmed_.begin(), unconfirmed_.end(),
                         [&](const Unconfirmed& u) { return u.tag == tag; });
  if (it == unconfirmed_.end()) return;
  Finish(it->done, ok);
  unconfirmed_.erase(it);
}

void PublishPipeline::FailUnconfirmed() {
  for (auto& u : unconfirmed_) Finish(u.done, false);
  unconfirmed_.clear();
}

void PublishPipeline::Finish(Publisher::Done& done, bool ok) {
  if (done) done(ok);
  {
    std::lock_guard lock(mu_);
    ++finished_;
  }
  idle_cv_.notify_all();
}

// Sleeps until a message is queued, the broker sends something (confirms,
// a close), the oldest confirm is overdue, or a drain's deadline passes.
void PublishPipeline::WaitForWork() {
  pollfd fds[2] = {{wake_fd_.get(), POLLIN, 0}, {-1, POLLIN, 0}};
  nfds_t n = 1;
  if (channel_.connected()) {
    amqp_connection_state_t c = channel_.conn().get();
    if (amqp_frames_enqueued(c) || amqp_data_in_buffer(c)) return;  // read those first
    fds[1].fd = amqp_get_sockfd(c);
    n = 2;
  }
  Clock::duration wait =
      std::chrono::milliseconds(opts_.heartbeat_seconds > 0 ? opts_.heartbeat_seconds * 500 : 1000);
  if (!unconfirmed_.empty())
    wait =
        std::min<Clock::duration>(wait, unconfirmed_.front().sent + opts_.deadline - Clock::now());
  {
    std::lock_guard lock(mu_);
    if (!queue_.empty() || stop_) return;
    if (drain_deadline_ != Clock::time_point::max())
      wait = std::min<Clock::duration>(wait, drain_deadline_ - Clock::now());
    sleeping_ = true;  // from here on, Publish writes the eventfd
  }
  ::poll(fds, n, std::max(Millis(wait), 0));
  socket_readable_ = n == 2 && fds[1].revents != 0;  // data, or an error or hang-up to notice
  {
    std::lock_guard lock(mu_);
    sleeping_ = false;
  }
  if (fds[0].revents & POLLIN) {
    std::uint64_t v;
    (void)!::read(wake_fd_.get(), &v, sizeof v);
  }
}

}  // namespace cbit::queue
