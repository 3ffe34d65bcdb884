#include "core/debian.h"

#include <gtest/gtest.h>

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

}  // namespace cbit::debian
