#include "events/format.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace cbit::events {
namespace {

using nlohmann::json;

// The data line of one event: "event: NAME\ndata: JSON\n\n".
json DataOf(const std::string& text, const std::string& name) {
  EXPECT_EQ(text.rfind("event: " + name + "\ndata: ", 0), 0u) << text;
  auto start = text.find("data: ") + 6;
  return json::parse(text.substr(start, text.find('\n', start) - start));
}

TEST(EventFormat, AClientHeardFromAndBuildingNamesTheTimeAndTheJob) {
  json d = DataOf(ClientEventText({4, "build_client_a", 1765000000000000, 17}), "client");
  EXPECT_EQ(d["id"], 4);
  EXPECT_EQ(d["client"], "build_client_a");
  EXPECT_TRUE(d["last_heard"].is_string());
  EXPECT_EQ(d["last_heard_us"], 1765000000000000);
  EXPECT_EQ(d["job"], 17);
}

TEST(EventFormat, AClientNeverHeardFromAndIdleHasNulls) {
  json d = DataOf(ClientEventText({5, "build_client_b", std::nullopt, std::nullopt}), "client");
  EXPECT_TRUE(d["last_heard"].is_null());
  EXPECT_TRUE(d["last_heard_us"].is_null());
  EXPECT_TRUE(d["job"].is_null());
}

}  // namespace
}  // namespace cbit::events
