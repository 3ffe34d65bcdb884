#include "watcher/verdict.h"

#include <gtest/gtest.h>

namespace cbit::watcher {
namespace {

ChangesFile Upload() {
  ChangesFile c;
  c.source = "hello";
  c.version = "1:1.0-1";
  c.distribution = "chickpea";
  c.architecture = "source all amd64";
  c.files = {"hello_1.0-1.dsc", "hello_1.0-1.debian.tar.xz", "hello_1.0-1_amd64.deb",
             "hello-doc_1.0-1_all.deb", "hello_1.0-1_amd64.buildinfo"};
  return c;
}

// The pool is never asked unless everything was there before.
PoolCheck Unasked() {
  ADD_FAILURE() << "the pool was compared";
  return {};
}

std::vector<Published> AllThere(const std::string& version) {
  return {{"bookworm", "source", "hello", version},
          {"bookworm", "amd64", "hello", version},
          {"bookworm", "amd64", "hello-doc", version}};
}

TEST(Verdict, ExpectsTheSourceAndEachBinary) {
  auto e = ExpectedOf(Upload());
  ASSERT_EQ(e.size(), 3u);
  EXPECT_EQ(e[0].arch, "source");
  EXPECT_EQ(e[0].version, "1:1.0-1");
  EXPECT_EQ(e[1].name, "hello");
  EXPECT_EQ(e[1].arch, "amd64");
  EXPECT_EQ(e[2].name, "hello-doc");
  EXPECT_EQ(e[2].arch, "all");
}

TEST(Verdict, PublishedWhenNewAndComplete) {
  Verdict v = Judge(Upload(), {}, AllThere("1:1.0-1"), false, Unasked);
  EXPECT_TRUE(v.published) << v.message;
  EXPECT_NE(v.message.find("hello-doc 1.0-1 (all)"), std::string::npos) << v.message;
  // Replacing an older version is publishing.
  v = Judge(Upload(), AllThere("1:0.9-1"), AllThere("1:1.0-1"), false, Unasked);
  EXPECT_TRUE(v.published) << v.message;
}

TEST(Verdict, FailedWhenSkippedMissingOrLeftBehind) {
  Verdict skipped = Judge(Upload(), AllThere("1:1.0-1"), AllThere("1:1.0-1"), false, [] {
    return PoolCheck{false, "hello_1.0-1.dsc differs"};
  });
  EXPECT_FALSE(skipped.published);
  EXPECT_NE(skipped.message.find("already in the repository before this upload with other "
                                 "contents (hello_1.0-1.dsc differs)"),
            std::string::npos)
      << skipped.message;

  Verdict newer = Judge(Upload(), AllThere("1:2.0-1"), AllThere("1:2.0-1"), false, Unasked);
  EXPECT_FALSE(newer.published);
  EXPECT_NE(newer.message.find("not published: hello 1:1.0-1 (source)"), std::string::npos)
      << newer.message;

  auto partial = AllThere("1:1.0-1");
  partial.pop_back();
  Verdict missing = Judge(Upload(), {}, partial, false, Unasked);
  EXPECT_FALSE(missing.published);
  EXPECT_NE(missing.message.find("hello-doc"), std::string::npos);

  Verdict left = Judge(Upload(), {}, AllThere("1:1.0-1"), true, Unasked);
  EXPECT_FALSE(left.published);
  EXPECT_NE(left.message.find("refused"), std::string::npos);
}

TEST(Verdict, ARepeatedUploadOfTheSameFilesIsPublished) {
  Verdict v = Judge(Upload(), AllThere("1:1.0-1"), AllThere("1:1.0-1"), false, [] {
    return PoolCheck{true, ""};
  });
  EXPECT_TRUE(v.published) << v.message;
  EXPECT_TRUE(v.repeated);
  EXPECT_NE(v.message.find("already published with the same checksums"), std::string::npos)
      << v.message;
}

TEST(Verdict, ArchAllMatchesAnyBinaryArchButNotSource) {
  Expected doc{"all", "hello-doc", "1.0"};
  EXPECT_TRUE(Holds({{"c", "i386", "hello-doc", "1.0"}}, doc));
  EXPECT_TRUE(Holds({{"c", "all", "hello-doc", "1.0"}}, doc));
  EXPECT_FALSE(Holds({{"c", "source", "hello-doc", "1.0"}}, doc));
  EXPECT_FALSE(Holds({{"c", "amd64", "hello", "1.0"}}, {"i386", "hello", "1.0"}));
}

TEST(Verdict, ArchOfChangesName) {
  EXPECT_EQ(ArchOfChangesName("hello_1.0-1_amd64.changes"), "amd64");
  EXPECT_EQ(ArchOfChangesName("hello_1.0_source.changes"), "source");
  EXPECT_EQ(ArchOfChangesName("hello.changes"), "");
  EXPECT_EQ(ArchOfChangesName("hello_1.0_amd64.deb"), "");
  EXPECT_EQ(JobArchOf("hello_1.0_amd64.changes"), "amd64");
  EXPECT_EQ(JobArchOf("hello_1.0_source.changes"), "");
  EXPECT_EQ(JobArchOf("hello_1.0_multi.changes"), "");
}

TEST(Reprepro, ParsesListOutput) {
  auto list = ParseList(
      "bookworm|source|hello|1:1.0-1\nExporting indices...\nbookworm|amd64|hello|1:1.0-1\n");
  EXPECT_EQ(list, (std::vector<Published>{{"bookworm", "source", "hello", "1:1.0-1"},
                                          {"bookworm", "amd64", "hello", "1:1.0-1"}}));
}

TEST(Reprepro, TargetCodenamesFollowAllowThenDefaultThenEverything) {
  std::string incoming = R"(Name: other
Allow: chickpea>trixie

# the farm's rule
Name: cbit
IncomingDir: /srv/incoming
TempDir: /srv/tmp
allow: chickpea>bookworm bookworm
 unstable>sid
Default: bookworm
)";
  std::string dists = "Codename: bookworm\nComponents: main\n\nCodename: sid\n";
  EXPECT_EQ(TargetCodenames(incoming, dists, "cbit", "chickpea"),
            (std::vector<std::string>{"bookworm"}));
  EXPECT_EQ(TargetCodenames(incoming, dists, "cbit", "unstable"),
            (std::vector<std::string>{"sid"}));
  EXPECT_EQ(TargetCodenames(incoming, dists, "cbit", "unknown"),
            (std::vector<std::string>{"bookworm"}));
  EXPECT_EQ(TargetCodenames(incoming, dists, "nosuch", "chickpea"),
            (std::vector<std::string>{"bookworm", "sid"}));
  EXPECT_EQ(TargetCodenames("", dists, "cbit", "chickpea"),
            (std::vector<std::string>{"bookworm", "sid"}));
}

}  // namespace
}  // namespace cbit::watcher
