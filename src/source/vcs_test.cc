#include "source/vcs.h"

#include <gtest/gtest.h>

namespace cbit::source {
namespace {

const std::string kA(40, 'a'), kB(40, 'b'), kZero(40, '0');

TEST(RefUpdates, ParsesLinesAndFlags) {
  auto u = ParseRefUpdates(kA + " " + kB + " refs/heads/main\n" + kZero + " " + kB +
                           " refs/heads/new\r\n" + kA + " " + kZero + " refs/heads/gone\n\n");
  ASSERT_EQ(u.size(), 3u);
  EXPECT_EQ(u[0].ref, "refs/heads/main");
  EXPECT_FALSE(u[0].created());
  EXPECT_TRUE(u[1].created());
  EXPECT_EQ(u[1].ref, "refs/heads/new");
  EXPECT_TRUE(u[2].deleted());
}

TEST(RefUpdates, MalformedLinesAreRefused) {
  EXPECT_THROW(ParseRefUpdates("abc def refs/heads/x\n"), VcsError);
  EXPECT_THROW(ParseRefUpdates(kA + " " + kB + "\n"), VcsError);
  EXPECT_THROW(ParseRefUpdates("--upload-pack=x " + kB + " refs/heads/x\n"), VcsError);
}

TEST(ChangelogDirs, RootAndSubdirectoriesOnce) {
  EXPECT_EQ(ChangelogDirs({"debian/changelog", "README", "pkgs/foo/debian/changelog",
                           "pkgs/foo/debian/control", "foo-debian/changelog",
                           "debian/changelog.old", "pkgs/foo/debian/changelog"}),
            (std::vector<std::string>{"", "pkgs/foo"}));
}

TEST(Svnlook, ChangedPathsWithoutDeletions) {
  EXPECT_EQ(ParseSvnlookChanged("U   trunk/debian/changelog\n_U  trunk/\nD   old/debian/changelog\n"
                                "A   branches/x y/debian/changelog\n"),
            (std::vector<std::string>{"trunk/debian/changelog", "trunk/",
                                      "branches/x y/debian/changelog"}));
}

TEST(ReadPackage, ProblemsNameTheDirectoryAndFile) {
  auto f = ReadPackage("pkg", [](const std::string& path) -> std::string {
    if (path == "pkg/debian/changelog") return "pkg (1.0) sid; urgency=low\n";
    return "Source: pkg\n";
  });
  EXPECT_FALSE(f.meta);
  EXPECT_NE(f.problem.find("pkg/debian/control"), std::string::npos) << f.problem;
}

}  // namespace
}  // namespace cbit::source
