#include "client/log_stream.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "client/fake_controller_api.h"

namespace cbit::client {
namespace {

using Clock = std::chrono::steady_clock;

LogStream::Poster To(FakeControllerApi& api) {
  return [&api](std::optional<int> attempt, std::int64_t offset, const std::string& text) {
    return api.AppendLog(7, attempt, offset, text);
  };
}

LogStream::Options Fast() { return {.interval = std::chrono::milliseconds(5)}; }

TEST(LogStream, EverythingWrittenArrivesInOrderOnce) {
  FakeControllerApi api;
  api.ReportStatus(7, "Building", "c", "");
  LogStream log(To(api), Fast());
  std::string expected;
  for (int i = 0; i < 200; ++i) {
    std::string line = "line " + std::to_string(i) + "\n";
    log.Write(line);
    expected += line;
  }
  EXPECT_TRUE(log.Close(Clock::now() + std::chrono::seconds(30)));
  EXPECT_EQ(api.Log(7, 1), expected);
  EXPECT_EQ(log.sent(), static_cast<std::int64_t>(expected.size()));
}

TEST(LogStream, FailedPostsAreRetriedWithoutLossOrDuplicates) {
  FakeControllerApi api;
  api.ReportStatus(7, "Building", "c", "");
  api.FailNext(3);
  LogStream log(To(api), Fast());
  log.Write("one\n");
  log.Write("two\n");
  EXPECT_TRUE(log.Close(Clock::now() + std::chrono::seconds(30)));
  EXPECT_EQ(api.Log(7, 1), "one\ntwo\n");
}

TEST(LogStream, ACharacterCutBetweenWritesIsKeptWholeAndBadBytesReplaced) {
  FakeControllerApi api;
  api.ReportStatus(7, "Building", "c", "");
  LogStream log(To(api), Fast());
  log.Write("quote \xE2\x80");
  log.Write("\x98 and \xFF\n");
  EXPECT_TRUE(log.Close(Clock::now() + std::chrono::seconds(30)));
  EXPECT_EQ(api.Log(7, 1), "quote \xE2\x80\x98 and \xEF\xBF\xBD\n");
}

TEST(LogStream, ARefusedChunkStopsTheStreamInsteadOfRetryingForever) {
  FakeControllerApi api;  // job 7 never reported Building: attempt 0 has no log
  LogStream log([](std::optional<int>, std::int64_t,
                   const std::string&) -> LogAck { throw ApiError(409, "no build attempt"); },
                Fast());
  log.Write("lost\n");
  EXPECT_FALSE(log.Close(Clock::now() + std::chrono::seconds(30)));
}

// A controller that cut the log takes chunks without storing them: its
// length stays put, and each chunk is still sent once, not again and again.
TEST(LogStream, ChunksPastTheControllersCutAreSentOnce) {
  std::atomic<int> posts{0};
  LogStream log(
      [&posts](std::optional<int>, std::int64_t, const std::string&) {
        ++posts;
        return LogAck{1, 4096};
      },
      Fast());
  log.Write("first\n");
  while (posts.load() == 0) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  log.Write("second\n");
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  EXPECT_TRUE(log.Close(Clock::now() + std::chrono::seconds(30)));
  EXPECT_EQ(posts.load(), 2);
  EXPECT_EQ(log.sent(), 4096);
}

}  // namespace
}  // namespace cbit::client
