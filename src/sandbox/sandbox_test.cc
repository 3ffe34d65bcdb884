#include "sandbox/sandbox.h"

#include <gtest/gtest.h>

#include <stdexcept>

namespace cbit::sandbox {
namespace {

TEST(Sandbox, BindSplitsAtTheLastColon) {
  BindMount b = ParseBind("/srv/a:b/job-1:/build", false);
  EXPECT_EQ(b.source, "/srv/a:b/job-1");
  EXPECT_EQ(b.target, "/build");
  EXPECT_TRUE(ParseBind("/etc/resolv.conf:/etc/resolv.conf", true).read_only);
  EXPECT_THROW(ParseBind("/no-target", false), std::invalid_argument);
  EXPECT_THROW(ParseBind("/x:", false), std::invalid_argument);
}

TEST(Sandbox, CheckRefusesWhatTheMountOptionsCannotCarry) {
  Options o;
  o.steps = {{"true"}};
  EXPECT_EQ(Check(o), "");  // no root: the user namespace only
  o.root = "/srv/roots/g-1";
  EXPECT_NE(Check(o), "");  // an overlay needs --scratch
  o.scratch = "/w/job-1/.sandbox";
  EXPECT_EQ(Check(o), "");
  o.root = "/srv/a,lowerdir=/";
  EXPECT_NE(Check(o), "");
  o.root = "/srv/roots/g-1";
  o.binds = {{"/w/job-1", "/build/../etc", false}};
  EXPECT_NE(Check(o), "");
  o.binds = {{"/w/job-1", "/build/..", false}};
  EXPECT_NE(Check(o), "");
  o.binds = {{"/w/job-1", "/", false}};
  EXPECT_NE(Check(o), "");
  o.binds.clear();
  o.steps = {{"true"}, {}};
  EXPECT_NE(Check(o), "");
}

}  // namespace
}  // namespace cbit::sandbox
