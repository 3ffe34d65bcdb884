// The real Publisher: a fixed pool of connections, one confirmed channel
// each, lent to one Publish at a time. A connection that fails is dropped and
// reopened by the next call that needs it, so a broker restart costs the
// callers during the outage a BrokerError each and nothing more.
#include <algorithm>
#include <condition_variable>
#include <deque>
#include <string_view>
#include <unordered_set>
#include <vector>

#include "queue/amqp.h"
#include "queue/publisher.h"

namespace cbit::queue {
namespace {

constexpr amqp_channel_t kChannel = AmqpConnection::kChannel;

// A pooled connection and what has already been declared on it, so each
// publish costs one round trip (publish, then its confirm).
struct Slot {
  std::unique_ptr<AmqpConnection> conn;
  bool exchange_declared = false;
  std::unordered_set<std::string> bound;  ///< queue + '\n' + routing key
  std::uint64_t last_tag = 0;             ///< delivery tags count publishes on the channel
  Clock::time_point last_used;

  void Reset() {
    conn.reset();
    exchange_declared = false;
    bound.clear();
    last_tag = 0;
  }
};

class AmqpPublisher final : public Publisher {
 public:
  AmqpPublisher(const AmqpOptions& opts, int channels)
      : opts_(opts), slots_(std::max(channels, 1)) {
    for (auto& slot : slots_) free_.push_back(&slot);
  }

  void Publish(const Message& m) override {
    auto deadline = Clock::now() + opts_.deadline;
    Slot& slot = Acquire(deadline);
    Lease lease{this, &slot};
    try {
      PublishOn(slot, m, deadline);
    } catch (...) {
      slot.Reset();  // whatever failed, the next use starts on a fresh connection
      throw;
    }
  }

  bool QueueExists(const std::string& queue) override {
    std::lock_guard lock(probe_mu_);
    auto deadline = Clock::now() + opts_.deadline;
    try {
      AmqpConnection& conn = Connect(probe_, deadline, /*confirms=*/false);
      return conn.PassiveDeclare(queue, kChannel).has_value();
    } catch (...) {
      probe_.Reset();
      throw;
    }
  }

 private:
  // Gives a slot back to the pool however Publish leaves.
  struct Lease {
    AmqpPublisher* pool;
    Slot* slot;
    ~Lease() { pool->Release(*slot); }
  };

  Slot& Acquire(Clock::time_point deadline) {
    std::unique_lock lock(mu_);
    if (!free_cv_.wait_until(lock, deadline, [&] { return !free_.empty(); }))
      throw BrokerError("no AMQP channel became free within the deadline");
    Slot* slot = free_.front();
    free_.pop_front();
    return *slot;
  }

  void Release(Slot& slot) {
    {
      std::lock_guard lock(mu_);
      free_.push_back(&slot);
    }
    free_cv_.notify_one();
  }

  // A pooled connection may have died since its last use: the broker closed
  // it (a restart), or, since rabbitmq-c answers heartbeats only inside
  // library calls, it sat idle past the heartbeat interval. Either way it is
  // replaced before anything is published into it, so the caller does not
  // see an error from a broker that is up again.
  AmqpConnection& Connect(Slot& slot, Clock::time_point deadline, bool confirms) {
    auto now = Clock::now();
    bool idle_too_long = opts_.heartbeat_seconds > 0 &&
                         now - slot.last_used > std::chrono::seconds(opts_.heartbeat_seconds);
    if (slot.conn && (idle_too_long || !slot.conn->StillOpen())) slot.Reset();
    if (!slot.conn) {
      slot.conn = std::make_unique<AmqpConnection>(opts_, deadline);
      if (confirms) {
        amqp_confirm_select(slot.conn->get(), kChannel);
        slot.conn->CheckLastReply("confirm.select");
      }
    }
    slot.conn->SetDeadline(deadline);
    slot.last_used = now;
    return *slot.conn;
  }

  void PublishOn(Slot& slot, const Message& m, Clock::time_point deadline) {
    AmqpConnection& conn = Connect(slot, deadline, /*confirms=*/true);
    if (!slot.exchange_declared) {
      conn.DeclareExchange(opts_.exchange);
      slot.exchange_declared = true;
    }
    if (!m.queue.empty()) {
      std::string key = m.queue + '\n' + m.routing_key;
      if (!slot.bound.contains(key)) {
        conn.DeclareAndBindQueue(m.queue, opts_.exchange, m.routing_key);
        slot.bound.insert(std::move(key));
      }
    }
    amqp_basic_properties_t props{};
    props._flags = AMQP_BASIC_CONTENT_TYPE_FLAG | AMQP_BASIC_CONTENT_ENCODING_FLAG |
                   AMQP_BASIC_DELIVERY_MODE_FLAG;
    props.content_type = amqp_cstring_bytes("application/json");
    props.content_encoding = amqp_cstring_bytes("UTF-8");
    props.delivery_mode = AMQP_DELIVERY_PERSISTENT;
    std::vector<amqp_table_entry_t> headers;
    for (const auto& [name, value] : m.headers) {
      amqp_table_entry_t e{};
      e.key = AsBytes(name);
      e.value.kind = AMQP_FIELD_KIND_I64;
      e.value.value.i64 = value;
      headers.push_back(e);
    }
    if (!headers.empty()) {
      props._flags |= AMQP_BASIC_HEADERS_FLAG;
      props.headers = {static_cast<int>(headers.size()), headers.data()};
    }
    conn.CheckStatus(amqp_basic_publish(conn.get(), kChannel, AsBytes(opts_.exchange),
                                        AsBytes(m.routing_key), /*mandatory=*/0,
                                        /*immediate=*/0, &props, AsBytes(m.body)),
                     "basic.publish");
    WaitForConfirm(conn, ++slot.last_tag, deadline);
    amqp_maybe_release_buffers(conn.get());
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
  std::vector<Slot> slots_;
  // Handed out round robin: under steady load every connection stays in use.
  std::deque<Slot*> free_;
  std::mutex probe_mu_;
  Slot probe_;  ///< a connection of its own: a 404 closes the channel it happens on
};

}  // namespace

std::unique_ptr<Publisher> MakeAmqpPublisher(const AmqpOptions& opts, int channels) {
  return std::make_unique<AmqpPublisher>(opts, channels);
}

}  // namespace cbit::queue
