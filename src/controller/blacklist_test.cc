#include "controller/blacklist.h"

#include <gtest/gtest.h>

namespace cbit::controller {
namespace {

TEST(Blacklist, MatchesNameOrUriAnchoredAtTheStart) {
  BlacklistMatcher m({{1, "name", ".*-dev"}, {2, "vcs_uri", "http://evil\\."}});
  EXPECT_EQ(m.Match("libfoo-dev", "git://ok")->id, 1);
  EXPECT_EQ(m.Match("foo", "http://evil.example/x")->id, 2);
  EXPECT_FALSE(m.Match("foo", "git://ok/http://evil.x"));  // re.match: anchored at the start
  EXPECT_FALSE(m.Match("devtools", "git://ok"));
}

TEST(Blacklist, ValidateRefusesBadRules) {
  EXPECT_FALSE(BlacklistMatcher::Validate("name", ".*-dev"));
  EXPECT_TRUE(BlacklistMatcher::Validate("name", "([unclosed"));
  EXPECT_TRUE(BlacklistMatcher::Validate("version", ".*"));
  EXPECT_TRUE(BlacklistMatcher::Validate("name", ""));
}

}  // namespace
}  // namespace cbit::controller
