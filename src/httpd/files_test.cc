#include "httpd/files.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

namespace cbit::httpd {
namespace {
namespace fs = std::filesystem;

TEST(Range, OneRangeIsServedSeveralGetTheWholeFile) {
  ByteRange r;
  EXPECT_EQ(ParseRange("", 100, r), RangeKind::kWhole);
  ASSERT_EQ(ParseRange("bytes=10-19", 100, r), RangeKind::kOne);
  EXPECT_EQ(r.first, 10u);
  EXPECT_EQ(r.last, 19u);
  ASSERT_EQ(ParseRange("bytes=90-", 100, r), RangeKind::kOne);
  EXPECT_EQ(r.last, 99u);
  ASSERT_EQ(ParseRange("bytes=-5", 100, r), RangeKind::kOne);
  EXPECT_EQ(r.first, 95u);
  ASSERT_EQ(ParseRange("bytes=50-1000", 100, r), RangeKind::kOne);
  EXPECT_EQ(r.last, 99u);
  EXPECT_EQ(ParseRange("bytes=0-,0-,0-", 100, r), RangeKind::kWhole);
  EXPECT_EQ(ParseRange("bytes=0-1,5-6", 100, r), RangeKind::kWhole);
  EXPECT_EQ(ParseRange("bytes=100-", 100, r), RangeKind::kUnsatisfiable);
  EXPECT_EQ(ParseRange("bytes=-0", 100, r), RangeKind::kUnsatisfiable);
  EXPECT_EQ(ParseRange("bytes=9-3", 100, r), RangeKind::kWhole);
  EXPECT_EQ(ParseRange("bytes=x-3", 100, r), RangeKind::kWhole);
  EXPECT_EQ(ParseRange("items=0-3", 100, r), RangeKind::kWhole);
  EXPECT_EQ(ParseRange("bytes=99999999999999999999-", 100, r), RangeKind::kWhole);
}

std::string Body(Response& res) {
  std::string all, chunk;
  while (res.producer(chunk)) all += chunk;
  return all;
}

class Files : public ::testing::Test {
 protected:
  void SetUp() override {
    base_ = fs::temp_directory_path() / ("cbit-files-" + std::to_string(getpid()));
    fs::create_directories(base_ / "repo/dists");
    std::ofstream(base_ / "repo/dists/Release") << "0123456789";
    std::ofstream(base_ / "secret") << "outside";
    fs::create_symlink(base_ / "secret", base_ / "repo/leak");
    fs::create_symlink("../secret", base_ / "repo/dists/leak2");
    fs::create_symlink("Release", base_ / "repo/dists/InRelease");
    root_ = fs::canonical(base_ / "repo").string();
  }
  void TearDown() override { fs::remove_all(base_); }
  fs::path base_;
  std::string root_;
};

TEST_F(Files, ServesRegularFilesInsideTheRootOnly) {
  Response ok = ServeFile(root_, "dists/Release", "");
  ASSERT_EQ(ok.status, 200);
  EXPECT_EQ(Body(ok), "0123456789");
  Response inside_link = ServeFile(root_, "dists/InRelease", "");
  EXPECT_EQ(inside_link.status, 200);
  for (const char* p :
       {"leak", "dists/leak2", "../secret", "dists/../../secret", "dists", "", "missing"})
    EXPECT_EQ(ServeFile(root_, p, "").status, 404) << p;
}

TEST_F(Files, RangesAreOneOrTheWholeFile) {
  Response part = ServeFile(root_, "dists/Release", "bytes=2-4");
  ASSERT_EQ(part.status, 206);
  EXPECT_EQ(part.get_header_value("Content-Range"), "bytes 2-4/10");
  EXPECT_EQ(*part.content_length, 3u);
  EXPECT_EQ(Body(part), "234");
  Response many = ServeFile(root_, "dists/Release", "bytes=0-,0-,0-,0-");
  ASSERT_EQ(many.status, 200);
  EXPECT_EQ(Body(many), "0123456789");
  Response none = ServeFile(root_, "dists/Release", "bytes=10-");
  EXPECT_EQ(none.status, 416);
  EXPECT_EQ(none.get_header_value("Content-Range"), "bytes */10");
}

}  // namespace
}  // namespace cbit::httpd
