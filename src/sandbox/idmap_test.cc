#include "sandbox/idmap.h"

#include <gtest/gtest.h>

namespace cbit::sandbox {
namespace {

TEST(SubIds, FirstRangeOfTheNameOrTheNumericId) {
  std::string text = "alice:100000:65536\nbob:165536:65536\nbob:300000:10\n1001:400000:5\n";
  auto bob = FindSubIds(text, "bob", 1000);
  ASSERT_TRUE(bob);
  EXPECT_EQ(bob->start, 165536u);
  EXPECT_EQ(bob->count, 65536u);
  auto numeric = FindSubIds(text, "carol", 1001);
  ASSERT_TRUE(numeric);
  EXPECT_EQ(numeric->start, 400000u);
  EXPECT_FALSE(FindSubIds(text, "dave", 1002));
}

TEST(SubIds, MalformedLinesAreSkipped) {
  std::string text = "root\nroot:x:5\nroot:10:0\nroot:100000:65536\n";
  auto root = FindSubIds(text, "root", 0);
  ASSERT_TRUE(root);
  EXPECT_EQ(root->start, 100000u);
  EXPECT_EQ(MapLine(0, *root), "0 0 1 1 100000 65536");
}

}  // namespace
}  // namespace cbit::sandbox
