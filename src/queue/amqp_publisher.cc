// The real Publisher. Publish: a fixed pool of connections, one confirmed
// channel each, lent to one Publish at a time; a connection that fails is
// dropped and reopened by the next call that needs it, so a broker restart
// costs the callers during the outage a BrokerError each and nothing more.
// PublishAsync: one pipeline (publish_pipeline.h), started on first use.
#include <algorithm>
#include <condition_variable>
#include <deque>
#include <vector>

#include "queue/amqp.h"
#include "queue/publish_channel.h"
#include "queue/publish_pipeline.h"
#include "queue/publisher.h"

namespace cbit::queue {
namespace {

constexpr amqp_channel_t kChannel = AmqpConnection::kChannel;

class AmqpPublisher final : public Publisher {
 public:
  AmqpPublisher(const AmqpOptions& opts, int channels) : opts_(opts), probe_(opts) {
    slots_.reserve(std::max(channels, 1));
    for (int i = 0; i < std::max(channels, 1); ++i) slots_.emplace_back(opts);
    for (auto& slot : slots_) free_.push_back(&slot);
  }

  void Publish(const Message& m) override {
    auto deadline = Clock::now() + opts_.deadline;
    PublishChannel& slot = Acquire(deadline);
    Lease lease{this, &slot};
    try {
      slot.Connect(deadline);
      std::uint64_t tag = slot.Send(m, deadline);
      WaitForConfirm(slot.conn(), tag, deadline);
      amqp_maybe_release_buffers(slot.conn().get());
    } catch (...) {
      slot.Reset();  // whatever failed, the next use starts on a fresh connection
      throw;
    }
  }

  void PublishAsync(const Message& m, Done done) override {
    std::call_once(pipeline_once_, [&] { pipeline_ = std::make_unique<PublishPipeline>(opts_); });
    pipeline_->Publish(m, std::move(done));
  }

  void Drain(Clock::time_point deadline) override {
    if (pipeline_) pipeline_->Drain(deadline);
  }

  bool QueueExists(const std::string& queue) override { return QueueDepth(queue).has_value(); }

  void Ping() override {
    std::lock_guard lock(probe_mu_);
    try {
      probe_.Connect(Clock::now() + opts_.deadline).DeclareExchange(opts_.exchange, kChannel);
    } catch (...) {
      probe_.Reset();
      throw;
    }
  }

  std::optional<std::uint32_t> QueueDepth(const std::string& queue) override {
    std::lock_guard lock(probe_mu_);
    auto deadline = Clock::now() + opts_.deadline;
    try {
      auto counts = probe_.Connect(deadline).PassiveDeclare(queue, kChannel);
      if (!counts) return std::nullopt;
      return counts->messages;
    } catch (...) {
      probe_.Reset();
      throw;
    }
  }

 private:
  // Gives a slot back to the pool however Publish leaves.
  struct Lease {
    AmqpPublisher* pool;
    PublishChannel* slot;
    ~Lease() { pool->Release(*slot); }
  };

  PublishChannel& Acquire(Clock::time_point deadline) {
    std::unique_lock lock(mu_);
    if (!free_cv_.wait_until(lock, deadline, [&] { return !free_.empty(); }))
      throw BrokerError("no AMQP channel became free within the deadline");
    PublishChannel* slot = free_.front();
    free_.pop_front();
    return *slot;
  }

  void Release(PublishChannel& slot) {
    {
      std::lock_guard lock(mu_);
      free_.push_back(&slot);
    }
    free_cv_.notify_one();
  }

  // Publishes on a channel are sequential, so the confirm we wait for is the
  // one for `tag` (possibly folded into a later `multiple` ack).
  static void WaitForConfirm(AmqpConnection& conn, std::uint64_t tag, Clock::time_point deadline) {
    for (;;) {
      amqp_frame_t frame;
      if (!conn.WaitFrame(&frame, deadline))
        conn.Fail("the broker did not confirm the message within the deadline");
      if (frame.frame_type != AMQP_FRAME_METHOD) continue;
      if (frame.payload.method.id == AMQP_BASIC_ACK_METHOD) {
        const auto* ack = static_cast<const amqp_basic_ack_t*>(frame.payload.method.decoded);
        if (ack->delivery_tag == tag || (ack->multiple && ack->delivery_tag > tag)) return;
      } else if (frame.payload.method.id == AMQP_BASIC_NACK_METHOD) {
        conn.Fail("the broker refused the message (basic.nack)");
      }
    }
  }

  const AmqpOptions opts_;
  std::mutex mu_;
  std::condition_variable free_cv_;
  std::vector<PublishChannel> slots_;
  // Handed out round robin: under steady load every connection stays in use.
  std::deque<PublishChannel*> free_;
  std::mutex probe_mu_;
  PublishChannel probe_;  ///< a connection of its own: a 404 closes the channel it happens on
  std::once_flag pipeline_once_;
  std::unique_ptr<PublishPipeline> pipeline_;
};

}  // namespace

std::unique_ptr<Publisher> MakeAmqpPublisher(const AmqpOptions& opts, int channels) {
  return std::make_unique<AmqpPublisher>(opts, channels);
}

}  // namespace cbit::queue
