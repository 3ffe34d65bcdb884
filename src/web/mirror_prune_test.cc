#include "web/mirror_prune.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "testing/test_dir.h"
#include "web/webhook_worker.h"

namespace cbit::web {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

TEST(MirrorPrune, RecognisesMirrorNames) {
  EXPECT_TRUE(IsMirrorName(WebhookWorker::MirrorName("https://git.example/a/hello.git")));
  EXPECT_FALSE(IsMirrorName("hello.git"));
  EXPECT_FALSE(IsMirrorName("notes-0123"));
  EXPECT_FALSE(IsMirrorName("x-0123456789abcdef0123456789ABCDEF"));
}

TEST(MirrorPrune, RemovesOnlyMirrorsUnusedForLong) {
  testing::TestDir tmp;
  auto now = std::chrono::system_clock::now();
  std::string old_name = WebhookWorker::MirrorName("https://git.example/old.git");
  std::string fresh_name = WebhookWorker::MirrorName("https://git.example/fresh.git");
  for (const std::string& n : {old_name, fresh_name, std::string("operator-notes")}) {
    fs::create_directories(tmp.path() / n / "objects");
    std::ofstream(tmp.path() / n / "HEAD") << "ref: refs/heads/main\n";
  }
  auto long_ago = fs::file_time_type::clock::from_sys(now - 40 * 24h);
  fs::last_write_time(tmp.path() / old_name, long_ago);
  fs::last_write_time(tmp.path() / "operator-notes", long_ago);

  auto pruned = PruneMirrors(tmp.path().string(), 30 * 24h, now);
  EXPECT_EQ(pruned, std::vector<std::string>{old_name});
  EXPECT_FALSE(fs::exists(tmp.path() / old_name));
  EXPECT_TRUE(fs::exists(tmp.path() / fresh_name / "HEAD"));
  EXPECT_TRUE(fs::exists(tmp.path() / "operator-notes"));
  EXPECT_TRUE(PruneMirrors((tmp.path() / "nosuch").string(), 24h, now).empty());
}

}  // namespace
}  // namespace cbit::web
