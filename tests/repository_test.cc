// cbit-web serves the farm's apt repository read-only under /debian/
// (web.repository): files are answered, nothing outside the directory is.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "queue/fake_publisher.h"
#include "queue/publisher.h"
#include "tests/support/controller_harness.h"
#include "tests/support/databases.h"
#include "tests/support/fixture.h"

namespace cbit::testing {
namespace {

namespace fs = std::filesystem;

TEST(Repository, ServedReadOnlyUnderDebian) {
  fs::path root = fs::path(ScratchDir("repository"));
  fs::create_directories(root / "repo/dists/chickpea");
  std::ofstream(root / "repo/dists/chickpea/Release") << "Codename: chickpea\n";
  std::ofstream(root / "secret") << "not served\n";
  queue::FakePublisher publisher;
  ControllerHarness h(OpenTestDatabase("sqlite"), publisher, "localhost:18080", {},
                      (root / "repo").string());

  auto r = h.anon().Get("/debian/dists/chickpea/Release");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, "Codename: chickpea\n");

  r = h.anon().Get("/debian/dists/sid/Release");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 404);
  r = h.anon().Get("/debian/../secret");
  ASSERT_TRUE(r);
  EXPECT_NE(r->status, 200);
  EXPECT_EQ(r->body.find("not served"), std::string::npos);
  r = h.anon().Get("/debian/%2e%2e/secret");
  ASSERT_TRUE(r);
  EXPECT_NE(r->status, 200);
  EXPECT_EQ(r->body.find("not served"), std::string::npos);

  // Read-only: writes to the mount are not files.
  r = h.admin().Put("/debian/dists/chickpea/Release", "x", "text/plain");
  ASSERT_TRUE(r);
  EXPECT_GE(r->status, 400);
}

}  // namespace
}  // namespace cbit::testing
