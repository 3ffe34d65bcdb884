#include "queue/amqp.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "queue/consumer.h"

namespace cbit::queue {
namespace {

amqp_rpc_reply_t ServerClose(amqp_method_number_t id, void* decoded) {
  amqp_rpc_reply_t reply{};
  reply.reply_type = AMQP_RESPONSE_SERVER_EXCEPTION;
  reply.reply.id = id;
  reply.reply.decoded = decoded;
  return reply;
}

// A local port nobody listens on: bound, then released.
int ClosedPort() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  EXPECT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  socklen_t len = sizeof addr;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  ::close(fd);
  return ntohs(addr.sin_port);
}

TEST(AmqpReply, ChannelCloseNamesCodeAndReason) {
  std::string text = "NOT_FOUND - no queue 'x' in vhost '/'";
  amqp_channel_close_t close{};
  close.reply_code = 404;
  close.reply_text = AsBytes(text);
  EXPECT_EQ(DescribeReply(ServerClose(AMQP_CHANNEL_CLOSE_METHOD, &close)),
            "broker closed the channel (404): NOT_FOUND - no queue 'x' in vhost '/'");
}

TEST(AmqpReply, ConnectionCloseNamesCodeAndReason) {
  std::string text = "CONNECTION_FORCED - broker forced connection closure with reason 'shutdown'";
  amqp_connection_close_t close{};
  close.reply_code = 320;
  close.reply_text = AsBytes(text);
  EXPECT_EQ(DescribeReply(ServerClose(AMQP_CONNECTION_CLOSE_METHOD, &close)),
            "broker closed the connection (320): " + text);
}

TEST(AmqpReply, LibraryErrorAndOtherMethods) {
  amqp_rpc_reply_t reply{};
  reply.reply_type = AMQP_RESPONSE_LIBRARY_EXCEPTION;
  reply.library_error = AMQP_STATUS_TIMEOUT;
  EXPECT_EQ(DescribeReply(reply), amqp_error_string2(AMQP_STATUS_TIMEOUT));
  reply.reply_type = AMQP_RESPONSE_NONE;
  EXPECT_EQ(DescribeReply(reply), "no reply from the broker");
  EXPECT_EQ(DescribeReply(ServerClose(AMQP_BASIC_GET_EMPTY_METHOD, nullptr)),
            "unexpected method AMQP_BASIC_GET_EMPTY_METHOD");
}

TEST(AmqpBytes, RoundTrip) {
  EXPECT_EQ(ToString(AsBytes("Debian.i386.chickpea.deb")), "Debian.i386.chickpea.deb");
  EXPECT_EQ(ToString(amqp_empty_bytes), "");
}

TEST(AmqpTime, TimeLeftIsNeverNegative) {
  timeval past = TimeLeft(Clock::now() - std::chrono::seconds(3));
  EXPECT_EQ(past.tv_sec, 0);
  EXPECT_EQ(past.tv_usec, 0);
  timeval future = TimeLeft(Clock::now() + std::chrono::milliseconds(2500));
  EXPECT_EQ(future.tv_sec, 2);
  EXPECT_GT(future.tv_usec, 400000);
}

TEST(AmqpConnect, RefusedPortIsABrokerErrorAtOnce) {
  AmqpOptions opts;
  opts.host = "127.0.0.1";
  opts.port = ClosedPort();
  auto start = Clock::now();
  try {
    AmqpConnection conn(opts, Clock::now() + opts.deadline);
    FAIL() << "connected to a closed port";
  } catch (const BrokerError& e) {
    EXPECT_NE(std::string(e.what()).find("cannot connect to amqp://127.0.0.1:"), std::string::npos)
        << e.what();
  }
  EXPECT_THROW(AmqpConsumer{opts}, BrokerError);
  auto publisher = MakeAmqpPublisher(opts, 2);
  EXPECT_THROW(publisher->Publish({"key", "queue", "{}"}), BrokerError);
  EXPECT_THROW(publisher->QueueExists("queue"), BrokerError);
  EXPECT_LT(Clock::now() - start, std::chrono::seconds(1));
}

}  // namespace
}  // namespace cbit::queue
