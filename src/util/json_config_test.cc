// The shared config reader: whole numbers stay within their type's range
// (a huge number in a config was an undefined cast, found by fuzz_config).
#include "util/json_config.h"

#include <gtest/gtest.h>

#include <cstdint>

namespace cbit::json_config {
namespace {

int ReadInt(const std::string& value) {
  int out = 7;
  Read(nlohmann::json::parse("{\"n\": " + value + "}"), "n", out);
  return out;
}

TEST(JsonConfig, IntsAreWholeNumbersWithinRange) {
  EXPECT_EQ(ReadInt("42"), 42);
  EXPECT_EQ(ReadInt("\"42\""), 42);  // pyBit's configs write numbers as strings
  EXPECT_EQ(ReadInt("60.0"), 60);
  EXPECT_EQ(ReadInt("-2147483648"), INT32_MIN);
  EXPECT_EQ(ReadInt("2147483647"), INT32_MAX);
  for (const char* big : {"2147483648", "-2147483649", "18446744073709551615", "4.4e85", "-1e300",
                          "\"99999999999\""}) {
    try {
      ReadInt(big);
      ADD_FAILURE() << big << " was read";
    } catch (const ConfigError& e) {
      EXPECT_STREQ(e.what(), "config key 'n' is out of range") << big;
    }
  }
  for (const char* wrong : {"2.5", "true", "[1]", "\"x\""})
    EXPECT_THROW(ReadInt(wrong), ConfigError) << wrong;
}

TEST(JsonConfig, OtherWholeNumberTypesKeepTheirRange) {
  std::uint16_t port = 0;
  EXPECT_TRUE(Read(nlohmann::json::parse(R"({"p": 65535})"), "p", port));
  EXPECT_EQ(port, 65535);
  EXPECT_THROW(Read(nlohmann::json::parse(R"({"p": 65536})"), "p", port), ConfigError);
  EXPECT_THROW(Read(nlohmann::json::parse(R"({"p": -1})"), "p", port), ConfigError);
  std::uint64_t big = 0;
  EXPECT_TRUE(Read(nlohmann::json::parse(R"({"b": 18446744073709551615})"), "b", big));
  EXPECT_EQ(big, UINT64_MAX);
  EXPECT_THROW(Read(nlohmann::json::parse(R"({"b": 1.8446744073709552e19})"), "b", big),
               ConfigError);
  std::int64_t s = 0;
  EXPECT_TRUE(Read(nlohmann::json::parse(R"({"s": -9223372036854775808})"), "s", s));
  EXPECT_EQ(s, INT64_MIN);
  EXPECT_THROW(Read(nlohmann::json::parse(R"({"s": 9.3e18})"), "s", s), ConfigError);
}

}  // namespace
}  // namespace cbit::json_config
