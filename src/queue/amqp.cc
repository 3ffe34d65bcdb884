#include "queue/amqp.h"

#include <amqp_tcp_socket.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <vector>

namespace cbit::queue {
namespace {

std::string CloseText(std::string_view who, std::uint16_t code, amqp_bytes_t text) {
  return "broker closed the " + std::string(who) + " (" + std::to_string(code) +
         "): " + ToString(text);
}

// What timeval the library gets for "at most this long".
timeval ToTimeval(std::chrono::microseconds d) {
  d = std::max(d, std::chrono::microseconds(0));
  return timeval{static_cast<time_t>(d.count() / 1000000),
                 static_cast<suseconds_t>(d.count() % 1000000)};
}

// True when the broker answered by closing the channel with `code`.
bool IsChannelClose(const amqp_rpc_reply_t& reply, int code) {
  return reply.reply_type == AMQP_RESPONSE_SERVER_EXCEPTION &&
         reply.reply.id == AMQP_CHANNEL_CLOSE_METHOD && reply.reply.decoded &&
         static_cast<const amqp_channel_close_t*>(reply.reply.decoded)->reply_code == code;
}

}  // namespace

std::string DescribeReply(const amqp_rpc_reply_t& reply) {
  switch (reply.reply_type) {
    case AMQP_RESPONSE_NORMAL:
      return "ok";
    case AMQP_RESPONSE_NONE:
      return "no reply from the broker";
    case AMQP_RESPONSE_LIBRARY_EXCEPTION:
      return amqp_error_string2(reply.library_error);
    case AMQP_RESPONSE_SERVER_EXCEPTION:
      break;
  }
  if (reply.reply.id == AMQP_CONNECTION_CLOSE_METHOD && reply.reply.decoded) {
    const auto* m = static_cast<const amqp_connection_close_t*>(reply.reply.decoded);
    return CloseText("connection", m->reply_code, m->reply_text);
  }
  if (reply.reply.id == AMQP_CHANNEL_CLOSE_METHOD && reply.reply.decoded) {
    const auto* m = static_cast<const amqp_channel_close_t*>(reply.reply.decoded);
    return CloseText("channel", m->reply_code, m->reply_text);
  }
  return std::string("unexpected method ") + amqp_method_name(reply.reply.id);
}

amqp_bytes_t AsBytes(std::string_view s) {
  return amqp_bytes_t{s.size(), const_cast<char*>(s.data())};
}

std::string ToString(amqp_bytes_t b) {
  return b.len ? std::string(static_cast<const char*>(b.bytes), b.len) : std::string();
}

timeval TimeLeft(Clock::time_point deadline) {
  return ToTimeval(std::chrono::duration_cast<std::chrono::microseconds>(deadline - Clock::now()));
}

AmqpConnection::AmqpConnection(const AmqpOptions& opts, Clock::time_point deadline) : opts_(opts) {
  const std::vector<BrokerAddress> addresses = opts.Addresses();
  std::string errors;
  for (std::size_t i = 0; i < addresses.size(); ++i) {
    // Each address gets an equal share of the time left: one that does not
    // answer leaves time for the next, one that refuses takes none.
    auto share = (deadline - Clock::now()) / static_cast<int>(addresses.size() - i);
    try {
      Open(addresses[i], Clock::now() + share);
      if (i > 0) spdlog::warn("amqp: {}; connected to the next broker", errors);
      return;
    } catch (const BrokerRefused&) {
      throw;  // users and virtual hosts are the cluster's: every node would refuse
    } catch (const BrokerError& e) {
      errors += (errors.empty() ? "" : "; ") + std::string(e.what());
    }
  }
  throw BrokerError(errors);
}

void AmqpConnection::Open(const BrokerAddress& address, Clock::time_point deadline) {
  conn_ = amqp_new_connection();
  if (!conn_) throw BrokerError("amqp: out of memory");
  usable_ = true;
  logged_in_ = false;
  address_ = address;
  // Freed here on failure: the next address needs a fresh one, and the
  // destructor does not run when the constructor throws.
  try {
    amqp_socket_t* socket = amqp_tcp_socket_new(conn_);
    if (!socket) Fail("amqp: cannot create a socket");
    std::string where = "amqp://" + address.host + ":" + std::to_string(address.port);
    timeval left = TimeLeft(deadline);
    int status = amqp_socket_open_noblock(socket, address.host.c_str(), address.port, &left);
    if (status != AMQP_STATUS_OK)
      Fail("cannot connect to " + where + ": " + amqp_error_string2(status));
    left = TimeLeft(deadline);
    amqp_set_handshake_timeout(conn_, &left);
    SetDeadline(deadline);
    const amqp_rpc_reply_t login =
        amqp_login(conn_, opts_.vhost.c_str(), AMQP_DEFAULT_MAX_CHANNELS, AMQP_DEFAULT_FRAME_SIZE,
                   opts_.heartbeat_seconds, AMQP_SASL_METHOD_PLAIN, opts_.user.c_str(),
                   opts_.password.c_str());
    const std::string what = "login to " + where + " as '" + opts_.user + "'";
    // The broker itself closed the connection (ACCESS_REFUSED, NOT_ALLOWED
    // for the virtual host): not an outage, a configuration to correct.
    if (login.reply_type == AMQP_RESPONSE_SERVER_EXCEPTION) {
      usable_ = false;
      throw BrokerRefused(what + ": " + DescribeReply(login));
    }
    Check(login, what);
    logged_in_ = true;
    OpenChannel(kChannel);
    SetDeadline(Clock::now() + opts_.deadline);
  } catch (...) {
    amqp_destroy_connection(conn_);
    conn_ = nullptr;
    throw;
  }
}

AmqpConnection::~AmqpConnection() {
  // A polite close lets the broker log a clean disconnect; it is bounded so
  // that dropping a connection to a hung broker cannot hang the caller.
  if (usable_ && logged_in_) {
    SetDeadline(Clock::now() +
                std::min<std::chrono::milliseconds>(opts_.deadline, std::chrono::seconds(2)));
    amqp_connection_close(conn_, AMQP_REPLY_SUCCESS);
  }
  amqp_destroy_connection(conn_);
}

void AmqpConnection::SetDeadline(Clock::time_point deadline) {
  // A zero timeval would make the library poll once; keep a sliver of time.
  timeval left = ToTimeval(
      std::max(std::chrono::duration_cast<std::chrono::microseconds>(deadline - Clock::now()),
               std::chrono::microseconds(1000)));
  amqp_set_rpc_timeout(conn_, &left);
}

void AmqpConnection::Fail(const std::string& message) {
  usable_ = false;
  throw BrokerError(message);
}

void AmqpConnection::Check(const amqp_rpc_reply_t& reply, std::string_view what) {
  if (reply.reply_type == AMQP_RESPONSE_NORMAL) return;
  Fail(std::string(what) + ": " + DescribeReply(reply));
}

void AmqpConnection::CheckStatus(int status, std::string_view what) {
  if (status == AMQP_STATUS_OK) return;
  Fail(std::string(what) + ": " + amqp_error_string2(status));
}

void AmqpConnection::OpenChannel(amqp_channel_t channel) {
  amqp_channel_open(conn_, channel);
  CheckLastReply("channel.open");
}

void AmqpConnection::DeclareExchange(const std::string& exchange, amqp_channel_t channel) {
  amqp_exchange_declare(conn_, channel, AsBytes(exchange), amqp_cstring_bytes("direct"),
                        /*passive=*/0, /*durable=*/1, /*auto_delete=*/0, /*internal=*/0,
                        amqp_empty_table);
  CheckLastReply("exchange.declare '" + exchange + "'");
}

void AmqpConnection::DeclareAndBindQueue(const std::string& queue, const std::string& exchange,
                                         const std::string& routing_key, amqp_channel_t channel,
                                         amqp_table_t arguments) {
  std::vector<amqp_table_entry_t> entries(arguments.entries,
                                          arguments.entries + arguments.num_entries);
  if (opts_.queue_type == QueueType::kQuorum) {
    amqp_table_entry_t type{};
    type.key = amqp_cstring_bytes("x-queue-type");
    type.value.kind = AMQP_FIELD_KIND_UTF8;
    type.value.value.bytes = amqp_cstring_bytes("quorum");
    entries.push_back(type);
  }
  amqp_queue_declare(conn_, channel, AsBytes(queue), /*passive=*/0, /*durable=*/1,
                     /*exclusive=*/0, /*auto_delete=*/0,
                     amqp_table_t{static_cast<int>(entries.size()), entries.data()});
  amqp_rpc_reply_t reply = amqp_get_rpc_reply(conn_);
  if (IsChannelClose(reply, AMQP_PRECONDITION_FAILED)) {
    // Most often a queue made before queue_type changed: say which setting.
    Fail("queue.declare '" + queue + "': the queue exists with other arguments than " +
         opts_.queue_type_key + " \"" + QueueTypeName(opts_.queue_type) +
         "\" declares it with (a queue's type cannot change: delete the queue, or set " +
         opts_.queue_type_key + " to the type it has): " + DescribeReply(reply));
  }
  Check(reply, "queue.declare '" + queue + "'");
  amqp_queue_bind(conn_, channel, AsBytes(queue), AsBytes(exchange), AsBytes(routing_key),
                  amqp_empty_table);
  CheckLastReply("queue.bind '" + queue + "' to '" + exchange + "' with '" + routing_key + "'");
}

std::optional<AmqpConnection::QueueCounts> AmqpConnection::PassiveDeclare(const std::string& queue,
                                                                          amqp_channel_t channel) {
  amqp_queue_declare_ok_t* ok =
      amqp_queue_declare(conn_, channel, AsBytes(queue), /*passive=*/1, 0, 0, 0, amqp_empty_table);
  amqp_rpc_reply_t reply = amqp_get_rpc_reply(conn_);
  if (IsChannelClose(reply, AMQP_NOT_FOUND)) {
    // The broker answers a miss by closing the channel; confirm the close
    // and open the channel again so the connection stays useful.
    amqp_channel_close_ok_t close_ok{};
    CheckStatus(amqp_send_method(conn_, channel, AMQP_CHANNEL_CLOSE_OK_METHOD, &close_ok),
                "channel.close-ok");
    OpenChannel(channel);
    return std::nullopt;
  }
  Check(reply, "queue.declare (passive) '" + queue + "'");
  return QueueCounts{ok->message_count, ok->consumer_count};
}

bool AmqpConnection::StillOpen() {
  for (;;) {
    amqp_frame_t frame;
    timeval now{0, 0};
    int status = amqp_simple_wait_frame_noblock(conn_, &frame, &now);
    if (status == AMQP_STATUS_TIMEOUT) return true;
    if (status != AMQP_STATUS_OK || (frame.frame_type == AMQP_FRAME_METHOD &&
                                     (frame.payload.method.id == AMQP_CHANNEL_CLOSE_METHOD ||
                                      frame.payload.method.id == AMQP_CONNECTION_CLOSE_METHOD))) {
      usable_ = false;
      return false;
    }
  }
}

bool AmqpConnection::WaitFrame(amqp_frame_t* frame, Clock::time_point deadline) {
  timeval left = TimeLeft(deadline);
  int status = amqp_simple_wait_frame_noblock(conn_, frame, &left);
  if (status == AMQP_STATUS_TIMEOUT) return false;
  CheckStatus(status, "waiting for the broker");
  if (frame->frame_type == AMQP_FRAME_METHOD &&
      (frame->payload.method.id == AMQP_CHANNEL_CLOSE_METHOD ||
       frame->payload.method.id == AMQP_CONNECTION_CLOSE_METHOD)) {
    amqp_rpc_reply_t reply{};
    reply.reply_type = AMQP_RESPONSE_SERVER_EXCEPTION;
    reply.reply = frame->payload.method;
    Fail(DescribeReply(reply));
  }
  return true;
}

}  // namespace cbit::queue
