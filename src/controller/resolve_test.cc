// The resolution rules of docs/design.md ("Submission", step 4) against an in-memory catalog shaped
// like pyBit's sample data (the captures in tests/data/pybit-wire).
#include "controller/resolve.h"

#include <gtest/gtest.h>

namespace cbit::controller {
namespace {

const Lookup kArmel{1, "armel"}, kI386{2, "i386"}, kChickpea{1, "chickpea"},
    kDevelopment{2, "development"}, kSqueeze{1, "squeeze"}, kWheezy{2, "wheezy"};

store::Catalog PyBitSample(bool wheezy_serves_chickpea_i386) {
  store::Catalog c;
  c.arches = {kArmel, kI386};
  c.suites = {kChickpea, kDevelopment};
  c.buildenvs = {kSqueeze, kWheezy};
  // Ordered by master_weight desc, id — as the store returns them.
  c.suitearches = {{2, kDevelopment, kI386, 1},
                   {4, kChickpea, kI386, 1},
                   {1, kDevelopment, kArmel, 0},
                   {3, kChickpea, kArmel, 0}};
  if (wheezy_serves_chickpea_i386) c.env_suitearches = {{1, kWheezy, c.suitearches[1]}};
  return c;
}

std::string Describe(const std::vector<ResolvedTarget>& ts) {
  std::string s;
  for (const auto& t : ts) {
    if (!s.empty()) s += " ";
    s += t.arch.name + "/" + (t.build_env ? t.build_env->name : "-") + (t.master ? "*" : "");
  }
  return s;
}

std::string Resolve(const store::Catalog& c, const std::string& list,
                    const std::optional<std::string>& env = std::nullopt) {
  return Describe(ResolveTargets(c, kChickpea.id, SplitArchList(list), env));
}

TEST(Resolve, AllAndAnyBuildsEveryArchHeaviestIsMaster) {
  // 05_GET_job: i386 (weight 1) is the master, armel is not.
  EXPECT_EQ(Resolve(PyBitSample(false), "all,any"), "i386/-* armel/-");
}

TEST(Resolve, AllWithoutAnyBuildsOncePerBuildEnv) {
  EXPECT_EQ(Resolve(PyBitSample(false), "all"), "i386/-*");
  // With wheezy serving chickpea/i386, each build env has its own arch:all build.
  EXPECT_EQ(Resolve(PyBitSample(true), "all"), "i386/wheezy* armel/-*");
}

TEST(Resolve, AnyPairsEachArchWithItsBuildEnvsAndEachEnvHasAMaster) {
  // 41_GET_job: i386 in wheezy (master of wheezy), armel without env (master
  // of the no-env group).
  EXPECT_EQ(Resolve(PyBitSample(true), "any"), "i386/wheezy* armel/-*");
}

TEST(Resolve, ExplicitListKeepsNamedArches) {
  EXPECT_EQ(Resolve(PyBitSample(false), "armel"), "armel/-*");
  EXPECT_EQ(Resolve(PyBitSample(false), "armel, i386"), "i386/-* armel/-");
  EXPECT_EQ(Resolve(PyBitSample(false), "mips"), "");
}

TEST(Resolve, RequestedBuildEnvFilters) {
  EXPECT_EQ(Resolve(PyBitSample(true), "any", "wheezy"), "i386/wheezy*");
  EXPECT_EQ(Resolve(PyBitSample(true), "any", "squeeze"), "");
}

TEST(Resolve, SuiteWithoutArchesResolvesToNothing) {
  store::Catalog c = PyBitSample(false);
  EXPECT_TRUE(ResolveTargets(c, 99, {"any"}, std::nullopt).empty());
}

TEST(Resolve, EnvGroupsComeInBuildEnvIdOrderNoEnvLast) {
  store::Catalog c = PyBitSample(false);
  c.env_suitearches = {{1, kWheezy, c.suitearches[1]}, {2, kSqueeze, c.suitearches[3]}};
  EXPECT_EQ(Resolve(c, "any"), "armel/squeeze* i386/wheezy*");
}

TEST(Resolve, SplitArchList) {
  EXPECT_EQ(SplitArchList(" all, any ,,i386"), (std::vector<std::string>{"all", "any", "i386"}));
}

}  // namespace
}  // namespace cbit::controller
