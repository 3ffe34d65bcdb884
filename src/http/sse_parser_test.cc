#include "http/sse_parser.h"

#include <gtest/gtest.h>

#include <stdexcept>
#include <vector>

namespace cbit::http {
namespace {

std::vector<SseEvent> ParseInPieces(const std::string& stream, std::size_t piece, SseParser& p) {
  std::vector<SseEvent> out;
  for (std::size_t at = 0; at < stream.size(); at += piece)
    p.Feed(std::string_view(stream).substr(at, piece),
           [&](const SseEvent& e) { out.push_back(e); });
  return out;
}

// What GET /events sends, cut at every possible place: the same events.
TEST(SseParser, EventsAreTheSameWhereverTheStreamIsCut) {
  const std::string stream =
      "retry: 2000\n\n"
      "event: status\nid: 41\ndata: {\"job\":3,\"status\":\"Building\"}\n\n"
      ": keep-alive\n\n"
      "event: ready\nid: 41\ndata: {\"id\":41}\n\n";
  for (std::size_t piece = 1; piece <= stream.size(); ++piece) {
    SseParser p;
    auto events = ParseInPieces(stream, piece, p);
    ASSERT_EQ(events.size(), 2u) << "piece " << piece;
    EXPECT_EQ(events[0].name, "status");
    EXPECT_EQ(events[0].id, "41");
    EXPECT_EQ(events[0].data, "{\"job\":3,\"status\":\"Building\"}");
    EXPECT_EQ(events[1].name, "ready");
    EXPECT_EQ(p.comments(), 1);
    EXPECT_EQ(p.retry_ms(), 2000);
    EXPECT_EQ(p.last_id(), "41");
  }
}

TEST(SseParser, CrLfAndCrEndLinesAsLfDoes) {
  for (const std::string eol : {"\r\n", "\r", "\n"}) {
    SseParser p;
    auto events = ParseInPieces(
        "data: a" + eol + "data:b" + eol + eol + "event: x" + eol + "data" + eol + eol, 1, p);
    ASSERT_EQ(events.size(), 2u);
    EXPECT_EQ(events[0].data, "a\nb");
    EXPECT_EQ(events[0].name, "message");
    EXPECT_EQ(events[1].name, "x");
    EXPECT_EQ(events[1].data, "");
  }
}

// A block without data (an id or an event name alone) is no event, but an
// id it carries holds for the events after it.
TEST(SseParser, BlocksWithoutDataAreNotDispatchedButTheirIdHolds) {
  SseParser p;
  auto events = ParseInPieces("id: 7\n\nevent: lonely\n\ndata: x\n\n", 4, p);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].name, "message");
  EXPECT_EQ(events[0].id, "7");
  EXPECT_EQ(p.last_id(), "7");
}

TEST(SseParser, AnEventOverTheBoundThrowsInsteadOfGrowing) {
  SseParser p(64);
  std::string stream = "data: " + std::string(100, 'x');
  EXPECT_THROW(ParseInPieces(stream, 10, p), std::length_error);
  SseParser q(64);
  std::string many;
  for (int i = 0; i < 20; ++i) many += "data: xxxxx\n";
  EXPECT_THROW(ParseInPieces(many, 7, q), std::length_error);
}

TEST(SseParser, ABadRetryIsIgnored) {
  SseParser p;
  ParseInPieces("retry: 12x\n\nretry: 99999999999\n\n", 3, p);
  EXPECT_FALSE(p.retry_ms());
}

}  // namespace
}  // namespace cbit::http
