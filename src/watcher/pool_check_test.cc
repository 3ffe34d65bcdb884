// CompareWithPool against a pool directory laid out as reprepro lays it out.
#include "watcher/pool_check.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "testing/test_dir.h"

namespace cbit::watcher {
namespace {

namespace fs = std::filesystem;

// SHA-256 of "abc" (FIPS 180-2's first example) and of "abd".
constexpr const char* kAbc = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";

class PoolCheckTest : public ::testing::Test {
 protected:
  void SetUp() override {
    pool_ = tmp_.path() / "pool/main/h/hello";
    fs::create_directories(pool_);
    for (const char* f : {"hello_1.0.dsc", "hello_1.0.tar.xz", "hello_1.0_amd64.deb"})
      std::ofstream(pool_ / f) << "abc";
    changes_.files = {"hello_1.0.dsc", "hello_1.0.tar.xz", "hello_1.0_amd64.deb",
                      "hello_1.0_amd64.buildinfo"};
    for (const char* f : {"hello_1.0.dsc", "hello_1.0.tar.xz", "hello_1.0_amd64.deb"})
      changes_.sha256[f] = kAbc;
    listed_ = {{"bookworm", "source", "hello", "1.0", (pool_ / "hello_1.0.dsc").string()},
               {"bookworm", "amd64", "hello", "1.0", (pool_ / "hello_1.0_amd64.deb").string()}};
  }

  testing::TestDir tmp_;
  fs::path pool_;
  ChangesFile changes_;
  std::vector<Published> listed_;
};

TEST_F(PoolCheckTest, HashesFiles) {
  EXPECT_EQ(FileSha256((pool_ / "hello_1.0.dsc").string()), kAbc);
  EXPECT_EQ(FileSha256((pool_ / "nosuch").string()), "");
}

TEST_F(PoolCheckTest, SameFilesAreTheSame) {
  PoolCheck c = CompareWithPool(changes_, listed_);
  EXPECT_TRUE(c.same) << c.detail;
}

TEST_F(PoolCheckTest, ADifferentFileIsNamed) {
  std::ofstream(pool_ / "hello_1.0_amd64.deb") << "abd";
  PoolCheck c = CompareWithPool(changes_, listed_);
  EXPECT_FALSE(c.same);
  EXPECT_NE(c.detail.find("hello_1.0_amd64.deb differs"), std::string::npos) << c.detail;
}

TEST_F(PoolCheckTest, AMissingFileOrChecksumIsNotTheSame) {
  fs::remove(pool_ / "hello_1.0.tar.xz");
  EXPECT_NE(CompareWithPool(changes_, listed_).detail.find("hello_1.0.tar.xz is not in the"),
            std::string::npos);
  std::ofstream(pool_ / "hello_1.0.tar.xz") << "abc";
  changes_.sha256.erase("hello_1.0.dsc");
  EXPECT_NE(CompareWithPool(changes_, listed_).detail.find("no Checksums-Sha256"),
            std::string::npos);
  // Nothing listed: nowhere to look.
  changes_.sha256["hello_1.0.dsc"] = kAbc;
  EXPECT_FALSE(CompareWithPool(changes_, {}).same);
}

}  // namespace
}  // namespace cbit::watcher
