#include "controller/blacklist.h"

#include <gtest/gtest.h>

#include <chrono>

namespace cbit::controller {
namespace {

TEST(Blacklist, MatchesNameOrUriAnchoredAtTheStart) {
  BlacklistMatcher m({{1, "name", ".*-dev"}, {2, "vcs_uri", "http://evil\\."}});
  EXPECT_EQ(m.Match("libfoo-dev", "git://ok")->id, 1);
  EXPECT_EQ(m.Match("foo", "http://evil.example/x")->id, 2);
  EXPECT_FALSE(m.Match("foo", "git://ok/http://evil.x"));  // re.match: anchored at the start
  EXPECT_FALSE(m.Match("devtools", "git://ok"));
  EXPECT_EQ(m.Match("libfoo-devel", "git://ok")->id, 1);  // not anchored at the end
}

TEST(Blacklist, ValidateRefusesBadRules) {
  EXPECT_FALSE(BlacklistMatcher::Validate("name", ".*-dev"));
  EXPECT_TRUE(BlacklistMatcher::Validate("name", "([unclosed"));
  EXPECT_TRUE(BlacklistMatcher::Validate("version", ".*"));
  EXPECT_TRUE(BlacklistMatcher::Validate("name", ""));
}

// Backtracking constructs have no linear-time match: refused, naming the rule.
TEST(Blacklist, ValidateRefusesWhatRe2CannotRun) {
  for (const char* rule : {"(a)\\1", "foo(?=bar)", "(?<!x)y"}) {
    auto why = BlacklistMatcher::Validate("name", rule);
    ASSERT_TRUE(why) << rule;
    EXPECT_NE(why->find(rule), std::string::npos) << *why;
  }
}

TEST(Blacklist, StoredRuleThatDoesNotCompileIsSkipped) {
  BlacklistMatcher m({{1, "name", "(a)\\1"}, {2, "name", "aa"}});
  EXPECT_EQ(m.Match("aa", "")->id, 2);
}

// A catastrophic-backtracking rule against a long name: a backtracking
// engine takes seconds (or exhausts its stack); a linear one microseconds.
TEST(Blacklist, MatchTimeIsLinearInTheName) {
  BlacklistMatcher m({{1, "name", "(a|aa)*c"}, {2, "vcs_uri", "(x+x+)+y"}});
  std::string name(5000, 'a'), uri(5000, 'x');
  auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < 100; ++i) EXPECT_FALSE(m.Match(name, uri));
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(2));
}

}  // namespace
}  // namespace cbit::controller
