#include "queue/consumer.h"

#include <vector>

#include "queue/amqp.h"

namespace cbit::queue {
namespace {

constexpr amqp_channel_t kChannel = AmqpConnection::kChannel;
// Passive declares go to a channel of their own: the broker answers a missing
// queue by closing the channel, which on kChannel would end consumption.
constexpr amqp_channel_t kProbeChannel = 2;
// RabbitMQ holds back every delivery of a channel whose channel-wide
// prefetch is used up, acknowledged or not: auto-ack consumers get their own.
constexpr amqp_channel_t kAutoAckChannel = 3;

void CopyProperties(const amqp_basic_properties_t& p, Delivery* d) {
  if (p._flags & AMQP_BASIC_DELIVERY_MODE_FLAG) d->delivery_mode = p.delivery_mode;
  if (p._flags & AMQP_BASIC_CONTENT_TYPE_FLAG) d->content_type = ToString(p.content_type);
  if (p._flags & AMQP_BASIC_CONTENT_ENCODING_FLAG)
    d->content_encoding = ToString(p.content_encoding);
  if (!(p._flags & AMQP_BASIC_HEADERS_FLAG)) return;
  for (int i = 0; i < p.headers.num_entries; ++i) {
    const amqp_table_entry_t& e = p.headers.entries[i];
    const amqp_field_value_t& v = e.value;
    std::optional<std::int64_t> n;
    switch (v.kind) {
      case AMQP_FIELD_KIND_I8:
        n = v.value.i8;
        break;
      case AMQP_FIELD_KIND_U8:
        n = v.value.u8;
        break;
      case AMQP_FIELD_KIND_I16:
        n = v.value.i16;
        break;
      case AMQP_FIELD_KIND_U16:
        n = v.value.u16;
        break;
      case AMQP_FIELD_KIND_I32:
        n = v.value.i32;
        break;
      case AMQP_FIELD_KIND_U32:
        n = v.value.u32;
        break;
      case AMQP_FIELD_KIND_I64:
        n = v.value.i64;
        break;
      case AMQP_FIELD_KIND_U64:
        n = static_cast<std::int64_t>(v.value.u64);
        break;
      case AMQP_FIELD_KIND_UTF8:
      case AMQP_FIELD_KIND_BYTES:
        d->text_headers[ToString(e.key)] = ToString(v.value.bytes);
        break;
      default:
        break;
    }
    if (n) d->headers[ToString(e.key)] = *n;
  }
}

amqp_table_entry_t Entry(const char* key, amqp_field_value_t value) {
  amqp_table_entry_t e{};
  e.key = amqp_cstring_bytes(key);
  e.value = value;
  return e;
}

}  // namespace

AmqpConsumer::AmqpConsumer(const AmqpOptions& opts)
    : opts_(opts), conn_(std::make_unique<AmqpConnection>(opts, Clock::now() + opts.deadline)) {}

AmqpConsumer::~AmqpConsumer() = default;

bool AmqpConsumer::IsOpen() const { return conn_ && conn_->usable(); }

AmqpConnection& AmqpConsumer::Live() {
  if (!IsOpen()) throw BrokerError("the AMQP connection is closed");
  conn_->SetDeadline(Clock::now() + opts_.deadline);
  return *conn_;
}

void AmqpConsumer::DeclareAndBind(const std::string& queue, const std::string& routing_key) {
  AmqpConnection& conn = Live();
  conn.DeclareExchange(opts_.exchange);
  conn.DeclareAndBindQueue(queue, opts_.exchange, routing_key);
}

void AmqpConsumer::DeclareDelayQueue(const std::string& queue, std::chrono::milliseconds ttl,
                                     const std::string& dead_letter_routing_key) {
  AmqpConnection& conn = Live();
  conn.DeclareExchange(opts_.exchange);
  amqp_field_value_t ttl_value{}, exchange_value{}, key_value{};
  ttl_value.kind = AMQP_FIELD_KIND_I64;
  ttl_value.value.i64 = ttl.count();
  exchange_value.kind = AMQP_FIELD_KIND_UTF8;
  exchange_value.value.bytes = AsBytes(opts_.exchange);
  key_value.kind = AMQP_FIELD_KIND_UTF8;
  key_value.value.bytes = AsBytes(dead_letter_routing_key);
  std::vector<amqp_table_entry_t> entries = {Entry("x-message-ttl", ttl_value),
                                             Entry("x-dead-letter-exchange", exchange_value),
                                             Entry("x-dead-letter-routing-key", key_value)};
  if (opts_.queue_type == QueueType::kQuorum) {
    // A quorum queue dead-letters at most once by default: a request whose
    // delay ends while the build queue has no leader would be lost.
    // At-least-once needs reject-publish overflow (no length limit is set).
    amqp_field_value_t strategy{}, overflow{};
    strategy.kind = overflow.kind = AMQP_FIELD_KIND_UTF8;
    strategy.value.bytes = amqp_cstring_bytes("at-least-once");
    overflow.value.bytes = amqp_cstring_bytes("reject-publish");
    entries.push_back(Entry("x-dead-letter-strategy", strategy));
    entries.push_back(Entry("x-overflow", overflow));
  }
  conn.DeclareAndBindQueue(queue, opts_.exchange, queue, kChannel,
                           amqp_table_t{static_cast<int>(entries.size()), entries.data()});
}

void AmqpConsumer::Consume(const std::string& queue, int prefetch, PrefetchScope scope) {
  AmqpConnection& conn = Live();
  // RabbitMQ applies a non-global prefetch to each consumer created after
  // it, a global one to the channel: both limits hold when both are set.
  amqp_basic_qos(conn.get(), kChannel, 0, static_cast<std::uint16_t>(prefetch),
                 scope == PrefetchScope::kChannel ? 1 : 0);
  conn.CheckLastReply("basic.qos");
  StartConsumer(queue, kChannel, /*auto_ack=*/false);
}

void AmqpConsumer::ConsumeAutoAck(const std::string& queue) {
  if (!auto_ack_channel_open_) {
    Live().OpenChannel(kAutoAckChannel);
    auto_ack_channel_open_ = true;
  }
  StartConsumer(queue, kAutoAckChannel, /*auto_ack=*/true);
}

void AmqpConsumer::StartConsumer(const std::string& queue, amqp_channel_t channel, bool auto_ack) {
  AmqpConnection& conn = Live();
  amqp_basic_consume_ok_t* ok =
      amqp_basic_consume(conn.get(), channel, AsBytes(queue), amqp_empty_bytes, /*no_local=*/0,
                         /*no_ack=*/auto_ack ? 1 : 0, /*exclusive=*/0, amqp_empty_table);
  conn.CheckLastReply("basic.consume '" + queue + "'");
  std::string tag = ToString(ok->consumer_tag);
  queue_of_tag_[tag] = queue;
  active_tags_.emplace_back(std::move(tag), channel);
}

std::optional<Delivery> AmqpConsumer::Next(std::chrono::milliseconds timeout) {
  AmqpConnection& conn = Live();
  auto deadline = Clock::now() + timeout;
  for (;;) {
    amqp_maybe_release_buffers(conn.get());
    amqp_envelope_t envelope;
    timeval left = TimeLeft(deadline);
    amqp_rpc_reply_t reply = amqp_consume_message(conn.get(), &envelope, &left, 0);
    if (reply.reply_type == AMQP_RESPONSE_NORMAL) {
      Delivery d;
      d.delivery_tag = envelope.delivery_tag;
      d.exchange = ToString(envelope.exchange);
      d.routing_key = ToString(envelope.routing_key);
      if (auto it = queue_of_tag_.find(ToString(envelope.consumer_tag));
          it != queue_of_tag_.end()) {
        d.queue = it->second;
      }
      d.redelivered = envelope.redelivered;
      d.body = ToString(envelope.message.body);
      CopyProperties(envelope.message.properties, &d);
      amqp_destroy_envelope(&envelope);
      return d;
    }
    if (reply.reply_type == AMQP_RESPONSE_LIBRARY_EXCEPTION &&
        reply.library_error == AMQP_STATUS_TIMEOUT) {
      return std::nullopt;
    }
    if (reply.reply_type != AMQP_RESPONSE_LIBRARY_EXCEPTION ||
        reply.library_error != AMQP_STATUS_UNEXPECTED_STATE) {
      conn.Check(reply, "waiting for a delivery");
    }
    // A frame other than a delivery is next: a channel or connection close
    // (WaitFrame throws with the broker's reason) or a consumer cancelled by
    // the broker (its queue was deleted); anything else is of no interest.
    amqp_frame_t frame;
    if (!conn.WaitFrame(&frame, deadline)) return std::nullopt;
    if (frame.frame_type == AMQP_FRAME_METHOD &&
        frame.payload.method.id == AMQP_BASIC_CANCEL_METHOD) {
      conn.Fail("the broker cancelled a consumer (its queue was deleted)");
    }
  }
}

void AmqpConsumer::Ack(std::uint64_t delivery_tag) {
  AmqpConnection& conn = Live();
  conn.CheckStatus(amqp_basic_ack(conn.get(), kChannel, delivery_tag, /*multiple=*/0), "basic.ack");
}

void AmqpConsumer::Reject(std::uint64_t delivery_tag, bool requeue) {
  AmqpConnection& conn = Live();
  conn.CheckStatus(amqp_basic_reject(conn.get(), kChannel, delivery_tag, requeue ? 1 : 0),
                   "basic.reject");
}

std::optional<Delivery> AmqpConsumer::Get(const std::string& queue) {
  AmqpConnection& conn = Live();
  amqp_rpc_reply_t reply = amqp_basic_get(conn.get(), kChannel, AsBytes(queue), /*no_ack=*/0);
  conn.Check(reply, "basic.get '" + queue + "'");
  if (reply.reply.id == AMQP_BASIC_GET_EMPTY_METHOD) return std::nullopt;
  const auto* ok = static_cast<const amqp_basic_get_ok_t*>(reply.reply.decoded);
  Delivery d;
  d.delivery_tag = ok->delivery_tag;
  d.redelivered = ok->redelivered;
  d.exchange = ToString(ok->exchange);
  d.routing_key = ToString(ok->routing_key);
  d.queue = queue;
  // The broker sends the content right behind get-ok.
  amqp_message_t message;
  conn.Check(amqp_read_message(conn.get(), kChannel, &message, 0), "basic.get '" + queue + "'");
  d.body = ToString(message.body);
  CopyProperties(message.properties, &d);
  amqp_destroy_message(&message);
  return d;
}

std::optional<std::pair<std::uint32_t, std::uint32_t>> AmqpConsumer::Probe(
    const std::string& queue) {
  AmqpConnection& conn = Live();
  if (!probe_channel_open_) {
    conn.OpenChannel(kProbeChannel);
    probe_channel_open_ = true;
  }
  auto counts = conn.PassiveDeclare(queue, kProbeChannel);
  if (!counts) return std::nullopt;
  return std::pair{counts->messages, counts->consumers};
}

std::optional<std::uint32_t> AmqpConsumer::MessageCount(const std::string& queue) {
  auto counts = Probe(queue);
  if (!counts) return std::nullopt;
  return counts->first;
}

std::optional<std::uint32_t> AmqpConsumer::ConsumerCount(const std::string& queue) {
  auto counts = Probe(queue);
  if (!counts) return std::nullopt;
  return counts->second;
}

void AmqpConsumer::Cancel() {
  AmqpConnection& conn = Live();
  // Tags stay in queue_of_tag_: deliveries sent before the cancel took
  // effect may still be read by Next.
  // Auto-acknowledged consumers (a client's command queue) go on.
  std::erase_if(active_tags_, [&](const auto& active) {
    if (active.second != kChannel) return false;
    amqp_basic_cancel(conn.get(), kChannel, AsBytes(active.first));
    conn.CheckLastReply("basic.cancel");
    return true;
  });
}

std::string AmqpConsumer::Address() const {
  if (!conn_) return "";
  return "amqp://" + conn_->address().host + ":" + std::to_string(conn_->address().port);
}

}  // namespace cbit::queue
