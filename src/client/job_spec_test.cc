#include "client/job_spec.h"

#include <gtest/gtest.h>

#include <functional>

#include "client/test_job.h"

namespace cbit::client {
namespace {

bool Refused(const std::function<void(JobSpec&)>& change) {
  JobSpec job = TestJob();
  change(job);
  return job.Validate().has_value();
}

}  // namespace

TEST(JobSpec, AcceptsAValidJob) {
  EXPECT_EQ(TestJob().Validate(), std::nullopt);
  JobSpec apt = TestJob("apt");
  apt.transport.uri.clear();
  apt.transport.vcs_id.clear();
  EXPECT_EQ(apt.Validate(), std::nullopt);
}

TEST(JobSpec, RefusesBadNamesAndVersions) {
  EXPECT_TRUE(Refused([](JobSpec& j) { j.package = "x;rm -rf /"; }));
  EXPECT_TRUE(Refused([](JobSpec& j) { j.package = "-hello"; }));
  EXPECT_TRUE(Refused([](JobSpec& j) { j.version = "1.0 $(id)"; }));
  EXPECT_TRUE(Refused([](JobSpec& j) { j.version = "abc"; }));
  EXPECT_TRUE(Refused([](JobSpec& j) { j.suite = "../etc"; }));
  EXPECT_TRUE(Refused([](JobSpec& j) { j.arch = "AMD64"; }));
  EXPECT_TRUE(Refused([](JobSpec& j) { j.dist = "-d"; }));
  EXPECT_TRUE(Refused([](JobSpec& j) { j.format = ""; }));
  EXPECT_TRUE(Refused([](JobSpec& j) { j.build_env = "a/b"; }));
}

TEST(JobSpec, RefusesUrisAndIdsThatCouldBeOptions) {
  EXPECT_TRUE(Refused([](JobSpec& j) { j.transport.method = "ftp"; }));
  EXPECT_TRUE(Refused([](JobSpec& j) { j.transport.uri = "--upload-pack=touch /tmp/pwned"; }));
  EXPECT_TRUE(Refused([](JobSpec& j) { j.transport.uri = "-oProxyCommand=id"; }));
  EXPECT_TRUE(Refused([](JobSpec& j) { j.transport.uri = ""; }));
  EXPECT_TRUE(Refused([](JobSpec& j) { j.transport.uri = "https://a b"; }));
  EXPECT_TRUE(Refused([](JobSpec& j) { j.transport.uri = "https://a\nb"; }));
  EXPECT_TRUE(Refused([](JobSpec& j) { j.transport.vcs_id = "--orphan=x"; }));
  EXPECT_TRUE(Refused([](JobSpec& j) {
    j.transport.method = "apt";
    j.transport.uri = "-oAPT::Foo=1";
  }));
  EXPECT_TRUE(Refused([](JobSpec& j) { j.transport.uri = "ext::git-upload-pack%20/srv/x"; }));
}

// Each entry of a BuildRequest's `commands` names a debian/rules target, alone
// or in pyBit's form "fakeroot debian/rules TARGET"; anything else could run
// more than that target and is refused before any command runs.
TEST(JobSpec, RefusesCommandsThatAreNotDebianRulesTargets) {
  EXPECT_FALSE(Refused([](JobSpec& j) {
    j.commands = {"get-orig-source", "fakeroot debian/rules override_dh_auto_build", "binary+x.y"};
  }));
  for (const char* bad :
       {"", "clean; rm -rf /", "$(id)", "a b", "-f", "--eval=x", "VAR=1", "../x", "a/b", ".PHONY",
        "x\ny", "fakeroot debian/rules", "fakeroot debian/rules a b", "fakeroot debian/rules -f",
        "sh -c id", "fakeroot  debian/rules x", "`id`", "a|b", "a&b"}) {
    EXPECT_TRUE(Refused([&](JobSpec& j) { j.commands = {"clean", bad}; })) << bad;
  }
}

TEST(JobSpec, ChrootName) {
  JobSpec job = TestJob();
  EXPECT_EQ(job.ChrootName(), "bookworm");
  job.build_env = "backports";
  EXPECT_EQ(job.ChrootName(), "backports-bookworm");
}

TEST(JobSpec, FromBuildRequest) {
  BuildRequest req;
  req.job.instance.package = {1, "hello-cbit", "1.0"};
  req.job.instance.arch = {1, "amd64"};
  req.job.instance.suite = {1, "bookworm"};
  req.job.instance.dist = {1, "debian"};
  req.job.instance.format = {1, "deb"};
  req.job.instance.build_env = Lookup{1, "backports"};
  req.job.instance.master = true;
  req.transport = {"svn", "file:///repo/trunk", "7"};
  JobSpec job = JobSpecFrom(req);
  EXPECT_EQ(job.package, "hello-cbit");
  EXPECT_EQ(job.build_env, "backports");
  EXPECT_TRUE(job.master);
  EXPECT_EQ(job.transport.vcs_id, "7");
  EXPECT_EQ(job.Validate(), std::nullopt);
}

}  // namespace cbit::client
