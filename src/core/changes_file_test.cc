#include "core/changes_file.h"

#include <gtest/gtest.h>

#include <fstream>

#include "testing/test_dir.h"

namespace cbit {

constexpr const char* kChanges = R"(Format: 1.8
Date: Mon, 01 Jan 2024 00:00:00 +0000
Source: hello-cbit
Binary: hello-cbit
Architecture: source amd64
Version: 1.0
Distribution: bookworm
Description:
 hello-cbit - test
Changes:
 hello-cbit (1.0) bookworm; urgency=medium
 .
   * Files: not a field.
Checksums-Sha1:
 0a1b 700 hello-cbit_1.0.dsc
 1c2d 900 hello-cbit_1.0.tar.xz
Checksums-Sha256:
 2e3f 700 hello-cbit_1.0.dsc
 3a4b 900 hello-cbit_1.0.tar.xz
 4c5d 2000 hello-cbit_1.0_amd64.deb
Files:
 0a1b 700 misc optional hello-cbit_1.0.dsc
 1c2d 900 misc optional hello-cbit_1.0.tar.xz
 4c5d 2000 misc optional hello-cbit_1.0_amd64.deb
 5e6f 5000 misc optional hello-cbit_1.0_amd64.buildinfo
)";

TEST(ChangesFile, ParsesFieldsAndEveryListedFileOnce) {
  auto c = ParseChanges(kChanges);
  ASSERT_TRUE(c);
  EXPECT_EQ(c->source, "hello-cbit");
  EXPECT_EQ(c->version, "1.0");
  EXPECT_EQ(c->distribution, "bookworm");
  EXPECT_EQ(c->architecture, "source amd64");
  EXPECT_EQ(c->binaries, (std::vector<std::string>{"hello-cbit"}));
  EXPECT_EQ(c->files, (std::vector<std::string>{"hello-cbit_1.0.dsc", "hello-cbit_1.0.tar.xz",
                                                "hello-cbit_1.0_amd64.deb",
                                                "hello-cbit_1.0_amd64.buildinfo"}));
}

TEST(ChangesFile, ReadsAClearSignedFile) {
  std::string text = std::string("-----BEGIN PGP SIGNED MESSAGE-----\nHash: SHA512\n\n") +
                     kChanges +
                     "\n-----BEGIN PGP SIGNATURE-----\n\niQIz\n Files: x\n"
                     "-----END PGP SIGNATURE-----\n";
  auto c = ParseChanges(text);
  ASSERT_TRUE(c);
  EXPECT_EQ(c->source, "hello-cbit");
  EXPECT_EQ(c->files.size(), 4u);
}

TEST(ChangesFile, RefusesPathsAndMissingFileList) {
  EXPECT_FALSE(ParseChanges("Source: a\nFiles:\n 0a 1 misc optional ../../etc/passwd\n"));
  EXPECT_FALSE(ParseChanges("Source: a\nFiles:\n 0a 1 misc optional /etc/passwd\n"));
  EXPECT_FALSE(ParseChanges("Source: a\nFiles:\n 0a 1 misc optional ..\n"));
  EXPECT_FALSE(ParseChanges("Source: a\nVersion: 1\n"));
  EXPECT_FALSE(ParseChanges("not a control file\n"));
}

// Anyone who can write to an incoming directory decides how big a file is.
TEST(ChangesFile, ReadChangesRefusesAnOversizedFileUnread) {
  testing::TestDir dir;
  std::string path = (dir.path() / "big.changes").string();
  std::string text = kChanges;
  { std::ofstream(path) << text; }
  EXPECT_TRUE(ReadChanges(path));
  {
    std::ofstream out(path);
    out << text << "Description:\n";
    while (out.tellp() <= static_cast<std::streamoff>(kMaxChangesBytes)) out << " padding\n";
  }
  EXPECT_TRUE(ParseChanges(text + "Description:\n padding\n"));
  EXPECT_FALSE(ReadChanges(path));
  EXPECT_FALSE(ReadChanges((dir.path() / "missing.changes").string()));
}

TEST(ChangesFile, SplitsBinaryFileNames) {
  auto debs = BinaryFilesOf({"a_1.0.dsc", "a_1.0_amd64.deb", "a-dev_1:2.0-1_all.deb",
                             "a-udeb_1.0_arm64.udeb", "a_1.0_amd64.buildinfo", "odd.deb"});
  EXPECT_EQ(debs,
            (std::vector<BinaryFile>{
                {"a", "1.0", "amd64"}, {"a-dev", "1:2.0-1", "all"}, {"a-udeb", "1.0", "arm64"}}));
}

TEST(ChangesFile, KeepsWellFormedSha256DigestsOnly) {
  std::string good(64, 'a'), upper(64, 'B');
  auto c = ParseChanges("Source: a\nChecksums-Sha256:\n " + good + " 7 a_1.0.dsc\n " + upper +
                        " 8 a_1.0_amd64.deb\n 12ab 9 a_1.0.tar.xz\nFiles:\n 0a 7 misc optional "
                        "a_1.0.dsc\n");
  ASSERT_TRUE(c);
  EXPECT_EQ(c->sha256, (std::map<std::string, std::string>{
                           {"a_1.0.dsc", good}, {"a_1.0_amd64.deb", std::string(64, 'b')}}));
}

}  // namespace cbit
