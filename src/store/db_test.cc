#include "store/db.h"

#include <gtest/gtest.h>

namespace cbit::store {
namespace {

Result OneRow(const std::vector<std::optional<std::string>>& cells) {
  return Result(cells.size(), cells);
}

TEST(ResultTest, ShapeOfRows) {
  Result r(2, {"1", "a", "2", std::nullopt});
  EXPECT_EQ(r.rows(), 2u);
  EXPECT_FALSE(r.empty());
  EXPECT_EQ(r.text(0, 1), "a");
  EXPECT_TRUE(r.null(1, 1));
  EXPECT_TRUE(Result().empty());
  EXPECT_TRUE(Result(3, {}).empty());
}

TEST(ResultTest, Integers) {
  Result r = OneRow({"42", "-9000000000", std::nullopt, "4x", ""});
  EXPECT_EQ(r.i64(0, 0), 42);
  EXPECT_EQ(r.i64(0, 1), -9000000000);
  EXPECT_EQ(r.opt_i64(0, 0), 42);
  EXPECT_EQ(r.opt_i64(0, 2), std::nullopt);
  EXPECT_THROW(r.i64(0, 2), DbError);
  EXPECT_THROW(r.i64(0, 3), DbError);
  EXPECT_THROW(r.i64(0, 4), DbError);
}

TEST(ResultTest, BooleansOfBothBackends) {
  Result r = OneRow({"t", "f", "1", "0", "true", "false", "yes"});
  EXPECT_TRUE(r.boolean(0, 0));
  EXPECT_FALSE(r.boolean(0, 1));
  EXPECT_TRUE(r.boolean(0, 2));
  EXPECT_FALSE(r.boolean(0, 3));
  EXPECT_TRUE(r.boolean(0, 4));
  EXPECT_FALSE(r.boolean(0, 5));
  EXPECT_THROW(r.boolean(0, 6), DbError);
}

TEST(ResultTest, TextOfNullThrows) {
  Result r = OneRow({std::nullopt});
  EXPECT_THROW(r.text(0, 0), DbError);
}

}  // namespace
}  // namespace cbit::store
