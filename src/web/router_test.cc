#include "web/router.h"

#include <gtest/gtest.h>

namespace cbit::web {
namespace {

// The HttpError `fn` throws: its status and message.
template <typename F>
std::pair<int, std::string> Refusal(F&& fn) {
  try {
    fn();
  } catch (const HttpError& e) {
    return {e.status, e.what()};
  }
  ADD_FAILURE() << "accepted";
  return {0, ""};
}

TEST(ParseDecimal, DigitsOnlyAndInRange) {
  EXPECT_EQ(ParseDecimal("0"), 0);
  EXPECT_EQ(ParseDecimal("12"), 12);
  EXPECT_EQ(ParseDecimal("007"), 7);
  EXPECT_EQ(ParseDecimal("9223372036854775807"), INT64_MAX);
  for (const char* bad : {"", "12abc", "abc", "+12", "-12", "-0", " 12", "12 ", "1.0", "0x10",
                          "9223372036854775808", "99999999999999999999"}) {
    EXPECT_EQ(ParseDecimal(bad), std::nullopt) << "'" << bad << "'";
  }
}

TEST(ParseFormId, RefusesWhatIsNotAPositiveIdWith400NamingTheField) {
  EXPECT_EQ(ParseFormId("suite_id", "42"), 42);
  for (const char* bad : {"12abc", "9223372036854775808", "+1", "-1", "0", ""}) {
    auto [status, message] = Refusal([&] { ParseFormId("suite_id", bad); });
    EXPECT_EQ(status, 400) << bad;
    EXPECT_EQ(message, "suite_id '" + std::string(bad) + "' is not an id");
  }
}

TEST(ParseFormInt, ZeroIsANumberButSignsAndGarbageAreNot) {
  EXPECT_EQ(ParseFormInt("master_weight", "0"), 0);
  EXPECT_EQ(ParseFormInt("master_weight", "3"), 3);
  for (const char* bad : {"-1", "+3", "3x", "9223372036854775808"}) {
    auto [status, message] = Refusal([&] { ParseFormInt("master_weight", bad); });
    EXPECT_EQ(status, 400) << bad;
    EXPECT_NE(message.find("master_weight '"), std::string::npos) << message;
  }
}

}  // namespace
}  // namespace cbit::web
