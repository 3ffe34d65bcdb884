// The decoder's limits: a hostile message costs a refusal (DecodeError),
// never a crash, a hang or unbounded memory.
#include <gtest/gtest.h>

#include <chrono>

#include "core/wire.h"
#include "tests/support/pybit_wire.h"

namespace cbit::wire {
namespace {

std::string Nested(int depth) { return std::string(depth, '[') + std::string(depth, ']'); }

// Objects in one array, each tagged (so py/id can name it) and each referring
// twice to the one before: resolved naively, the last holds 2^links copies.
std::string ReferenceChain(int links, bool twice) {
  std::string text = R"({"job": 1, "chain": [{"py/object": "x", "leaf": "payload"})";
  for (int i = 1; i < links; ++i) {
    std::string ref = R"({"py/id": )" + std::to_string(i) + "}";
    text += R"(, {"py/object": "x", "a": )" + ref + (twice ? R"(, "b": )" + ref : "") + "}";
  }
  return text + "]}";
}

std::string ErrorOf(const std::string& text) {
  try {
    DecodeBuildRequest(text);
  } catch (const DecodeError& e) {
    return e.what();
  }
  return "decoded";
}

TEST(WireLimits, DeepNestingIsRefusedNotRecursedInto) {
  EXPECT_NE(ErrorOf(Nested(100000)).find("nested deeper than 64"), std::string::npos);
  EXPECT_NE(ErrorOf(R"({"job": )" + Nested(65) + "}").find("nested deeper"), std::string::npos);
  std::string objects;
  for (int i = 0; i < 100000; ++i) objects += R"({"a": )";
  EXPECT_NE(ErrorOf(objects).find("nested deeper"), std::string::npos);
}

TEST(WireLimits, NestingWithinTheLimitIsRead) {
  // A real request with an unknown key as deep as the limit allows.
  std::string body = cbit::testing::PyBitAmqpBody("amqp_1_build_requests.txt", 0);
  std::string deep = body.substr(0, body.size() - 1) + R"(, "extra": )" + Nested(63) + "}";
  EXPECT_EQ(DecodeBuildRequest(deep).job.id, DecodeBuildRequest(body).job.id);
}

TEST(WireLimits, ExponentialReferenceChainIsRefusedQuickly) {
  auto start = std::chrono::steady_clock::now();
  EXPECT_NE(ErrorOf(ReferenceChain(40, true)).find("expand beyond"), std::string::npos);
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(2));
}

TEST(WireLimits, ReferencesCannotNestDeeperThanText) {
  EXPECT_NE(ErrorOf(ReferenceChain(70, false)).find("references nest deeper"), std::string::npos);
  // A short chain is an ordinary document: it decodes as far as the shape check.
  EXPECT_NE(ErrorOf(ReferenceChain(10, true)).find("expected an object"), std::string::npos);
}

TEST(WireLimits, OversizedMessageIsRefusedBeforeParsing) {
  std::string big = R"({"job": ")" + std::string(kMaxMessageBytes, 'x') + R"("})";
  EXPECT_NE(ErrorOf(big).find("bytes; at most"), std::string::npos);
}

}  // namespace
}  // namespace cbit::wire
