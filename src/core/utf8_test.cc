#include "core/utf8.h"

#include <gtest/gtest.h>

namespace cbit::utf8 {
namespace {

TEST(Utf8, ValidTextPasses) {
  EXPECT_TRUE(IsValid(""));
  EXPECT_TRUE(IsValid("dpkg-buildpackage: info: source package hello\n"));
  EXPECT_TRUE(IsValid("gcc: \xE2\x80\x98main\xE2\x80\x99 \xF0\x9F\x90\xA7"));
}

TEST(Utf8, InvalidBytesNulOverlongAndSurrogatesFail) {
  EXPECT_FALSE(IsValid("\xFF"));
  EXPECT_FALSE(IsValid(std::string_view("a\0b", 3)));
  EXPECT_FALSE(IsValid("\xC0\xAF"));          // overlong '/'
  EXPECT_FALSE(IsValid("\xED\xA0\x80"));      // a surrogate
  EXPECT_FALSE(IsValid("\xF4\x90\x80\x80"));  // past U+10FFFF
  EXPECT_FALSE(IsValid("\xE2\x80"));          // cut short
}

TEST(Utf8, CompletePrefixLeavesOutACutSequenceOnly) {
  EXPECT_EQ(CompletePrefix("abc"), 3u);
  EXPECT_EQ(CompletePrefix("ab\xE2\x80"), 2u);
  EXPECT_EQ(CompletePrefix("ab\xE2"), 2u);
  EXPECT_EQ(CompletePrefix("ab\xE2\x80\x98"), 5u);
  EXPECT_EQ(CompletePrefix("ab\xF0\x9F\x90"), 2u);
  EXPECT_EQ(CompletePrefix("ab\xFF"), 3u);  // not a cut sequence: Sanitize handles it
}

TEST(Utf8, SanitizeReplacesEachBadByte) {
  EXPECT_EQ(Sanitize("ok\xFFok"), "ok\xEF\xBF\xBDok");
  EXPECT_EQ(Sanitize(std::string_view("a\0", 2)), "a\xEF\xBF\xBD");
  EXPECT_TRUE(IsValid(Sanitize("\xC0\xAF\xE2\x80")));
}

}  // namespace
}  // namespace cbit::utf8
