#include "queue/publish_channel.h"

#include <vector>

namespace cbit::queue {

constexpr amqp_channel_t kChannel = AmqpConnection::kChannel;

AmqpConnection& PublishChannel::Connect(Clock::time_point deadline) {
  auto now = Clock::now();
  bool idle_too_long = opts_.heartbeat_seconds > 0 &&
                       now - last_used_ > std::chrono::seconds(opts_.heartbeat_seconds);
  if (conn_ && (idle_too_long || !conn_->usable() || !conn_->StillOpen())) Reset();
  if (!conn_) {
    conn_ = std::make_unique<AmqpConnection>(opts_, deadline);
    amqp_confirm_select(conn_->get(), kChannel);
    conn_->CheckLastReply("confirm.select");
  }
  conn_->SetDeadline(deadline);
  last_used_ = now;
  return *conn_;
}

std::uint64_t PublishChannel::Send(const Message& m, Clock::time_point deadline) {
  AmqpConnection& conn = *conn_;
  conn.SetDeadline(deadline);
  if (!exchange_declared_) {
    conn.DeclareExchange(opts_.exchange);
    exchange_declared_ = true;
  }
  if (!m.queue.empty()) {
    std::string key = m.queue + '\n' + m.routing_key;
    if (!bound_.contains(key)) {
      conn.DeclareAndBindQueue(m.queue, opts_.exchange, m.routing_key);
      bound_.insert(std::move(key));
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
  for (const auto& [name, value] : m.text_headers) {
    amqp_table_entry_t e{};
    e.key = AsBytes(name);
    e.value.kind = AMQP_FIELD_KIND_UTF8;
    e.value.value.bytes = AsBytes(value);
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
  last_used_ = Clock::now();
  return ++last_tag_;
}

void PublishChannel::Reset() {
  conn_.reset();
  exchange_declared_ = false;
  bound_.clear();
  last_tag_ = 0;
}

}  // namespace cbit::queue
