#include "core/debian.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <string>
#include <vector>

namespace cbit::debian {

TEST(Debian, PackageNames) {
  EXPECT_TRUE(IsPackageName("appbarwidget"));
  EXPECT_TRUE(IsPackageName("libstdc++6"));
  EXPECT_TRUE(IsPackageName("g++-12"));
  EXPECT_FALSE(IsPackageName("a"));
  EXPECT_FALSE(IsPackageName("Upper"));
  EXPECT_FALSE(IsPackageName("-dash"));
  EXPECT_FALSE(IsPackageName("a b"));
  EXPECT_FALSE(IsPackageName("x;rm -rf /"));
  EXPECT_FALSE(IsPackageName("name$(id)"));
}

TEST(Debian, Versions) {
  EXPECT_TRUE(IsVersion("0.6.33chickpea94"));
  EXPECT_TRUE(IsVersion("1:2.0-1"));
  EXPECT_TRUE(IsVersion("2.0-1+deb12u1"));
  EXPECT_TRUE(IsVersion("1.0~rc1-1~bpo12+1"));
  EXPECT_TRUE(IsVersion("1:2:3-4"));
  EXPECT_FALSE(IsVersion(""));
  EXPECT_FALSE(IsVersion("abc"));
  EXPECT_FALSE(IsVersion("1.0-"));
  EXPECT_FALSE(IsVersion("x:1.0"));
  EXPECT_TRUE(IsVersion("2147483647:1.0"));
  EXPECT_FALSE(IsVersion("2147483648:1.0"));  // dpkg's epoch limit
  EXPECT_FALSE(IsVersion("99999999999999999999:1.0"));
  EXPECT_FALSE(IsVersion("1.0 1"));
  EXPECT_FALSE(IsVersion("1.0;ls"));
  EXPECT_FALSE(
      IsVersion("1:2"
                "\n"));
}

TEST(Debian, Tokens) {
  EXPECT_TRUE(IsToken("bookworm-backports"));
  EXPECT_TRUE(IsToken("Debian"));
  EXPECT_FALSE(IsToken(""));
  EXPECT_FALSE(IsToken("../etc"));
  EXPECT_FALSE(IsToken("a/b"));
  EXPECT_TRUE(IsArch("amd64"));
  EXPECT_TRUE(IsArch("kfreebsd-amd64"));
  EXPECT_FALSE(IsArch("AMD64"));
}

TEST(Debian, VersionOrderingMatchesDpkg) {
  EXPECT_LT(CompareVersions("1.0", "1.1"), 0);
  EXPECT_LT(CompareVersions("1.0~rc1", "1.0"), 0);
  EXPECT_GT(CompareVersions("1:0.1", "9.9"), 0);
  EXPECT_EQ(CompareVersions("1.0-1", "1.0-1"), 0);
  EXPECT_LT(CompareVersions("1.0-1", "1.0-1+b1"), 0);
  EXPECT_LT(CompareVersions("0.6.33chickpea9", "0.6.33chickpea94"), 0);
  EXPECT_GT(CompareVersions("1.10", "1.9"), 0);
}

int Sign(int n) { return (n > 0) - (n < 0); }

// Versions from pieces that meet at every boundary the ordering has: digit
// runs with leading zeros, '~' before and after the end, letters of both
// cases, '+', '.', '-' in the upstream version, epochs.
std::string RandomVersion(std::mt19937& rng) {
  static const std::vector<std::string> kPieces = {"0", "1", "2", "9",  "10", "01", "007", "a",
                                                   "b", "Z", "~", "~~", ".",  "+",  "rc",  "dfsg"};
  auto piece = [&] { return kPieces[rng() % kPieces.size()]; };
  std::string v;
  if (rng() % 4 == 0) v += std::to_string(rng() % 3) + ":";
  v += std::to_string(rng() % 12);
  for (int n = static_cast<int>(rng() % 5); n > 0; --n) v += piece();
  if (rng() % 2 == 0) {
    if (rng() % 5 == 0) v += "-beta";
    v += "-" + std::to_string(rng() % 3);
    for (int n = static_cast<int>(rng() % 3); n > 0; --n) v += piece();
  }
  return v;
}

TEST(Debian, VersionSortKeysSortAsDpkgDoes) {
  const std::vector<std::string> ordered = {
      "0.9",     "1.0~rc1~1", "1.0~rc1", "1.0",   "1.0-0.1", "1.0-1",      "1.0-1+b1",
      "1.0-1.1", "1.0a",      "1.0+b1",  "1.0.1", "1.00.2",  "1.10",       "2~",
      "2",       "10",        "1:0.1",   "1:1.0", "2:0",     "10:0~beta1",
  };
  for (std::size_t i = 1; i < ordered.size(); ++i) {
    ASSERT_LT(CompareVersions(ordered[i - 1], ordered[i]), 0) << ordered[i];
    EXPECT_LT(VersionSortKey(ordered[i - 1]), VersionSortKey(ordered[i]))
        << ordered[i - 1] << " " << ordered[i];
  }
  // Equal versions spelled differently get one key.
  EXPECT_EQ(VersionSortKey("0:1.0"), VersionSortKey("1.0"));
  EXPECT_EQ(VersionSortKey("1.0"), VersionSortKey("1.0-0"));
  EXPECT_EQ(VersionSortKey("1.01"), VersionSortKey("1.1"));
  for (char c : VersionSortKey("10:1.0~rc1+dfsg-1.2~bpo12+1")) EXPECT_TRUE(c > ' ' && c < 127);

  std::mt19937 rng(20261207);
  for (int i = 0; i < 20000; ++i) {
    std::string a = RandomVersion(rng), b = RandomVersion(rng);
    ASSERT_TRUE(IsVersion(a) && IsVersion(b)) << a << " " << b;
    ASSERT_EQ(Sign(VersionSortKey(a).compare(VersionSortKey(b))), Sign(CompareVersions(a, b)))
        << a << " " << b;
  }
}

}  // namespace cbit::debian
