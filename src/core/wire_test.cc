// Golden tests: cbit's encoder reproduces pyBit 1.0's captured bodies byte
// for byte (tests/data/pybit-wire), and its decoder reads them back.
#include "core/wire.h"

#include <gtest/gtest.h>

#include "tests/support/pybit_wire.h"

namespace cbit::wire {
namespace {

std::string Fixture(const std::string& name) { return cbit::testing::PyBitFixture(name); }

std::string AmqpBody(const std::string& file, int n) {
  return cbit::testing::PyBitAmqpBody(file, n);
}

const Lookup kI386{2, "i386"}, kArmel{1, "armel"}, kChickpea{1, "chickpea"}, kDebian{1, "Debian"},
    kDeb{1, "deb"};

PackageInstance Instance(Id id, Lookup arch, bool master) {
  return {id,
          {1, "appbarwidget", "0.6.33chickpea94"},
          std::move(arch),
          std::nullopt,
          kChickpea,
          kDebian,
          kDeb,
          master};
}

TEST(WireGolden, Job) {
  Job j{1, Instance(1, kI386, true), std::nullopt, "Waiting"};
  EXPECT_EQ(Encode(j), Fixture("06_GET_job_1.body"));
  j.buildclient = Lookup{4, "build_client_sample"};
  EXPECT_EQ(Encode(j), Fixture("21_GET_job_1.body"));
}

TEST(WireGolden, JobList) {
  std::vector<Job> jobs{{1, Instance(1, kI386, true), std::nullopt, ""},
                        {2, Instance(2, kArmel, false), std::nullopt, ""}};
  EXPECT_EQ(EncodeList(jobs), Fixture("05_GET_job.body"));
}

TEST(WireGolden, PackageInstanceWithBuildEnv) {
  PackageInstance pi{
      1, {1, "envpkg", "2.0-1"}, kI386, Lookup{2, "wheezy"}, kChickpea, kDebian, kDeb, true};
  PackageInstance pi2{2,   {1, "envpkg", "2.0-1"}, kArmel, std::nullopt, kChickpea, kDebian, kDeb,
                      true};
  EXPECT_EQ(EncodeList(std::vector{pi, pi2}), Fixture("42_GET_packageinstance.body"));
}

TEST(WireGolden, JobHistory) {
  // 2026-11-23 18:55:45.403737 UTC
  JobHistory h{1, "Waiting", std::nullopt, 1795460145403737};
  EXPECT_EQ(EncodeList(std::vector{h}), Fixture("07_GET_job_1_status.body"));
}

TEST(WireGolden, Lookups) {
  EXPECT_EQ(EncodeList(std::vector<Lookup>{kArmel, kI386}, LookupKind::kArch),
            Fixture("01_GET_arch.body"));
  EXPECT_EQ(Encode(kChickpea, LookupKind::kSuite), Fixture("47_GET_suite_1.body"));
  EXPECT_EQ(EncodeList(std::vector<Lookup>{kDebian}, LookupKind::kDist),
            Fixture("32_GET_dist.body"));
  EXPECT_EQ(EncodeList(std::vector<Lookup>{kDeb}, LookupKind::kFormat),
            Fixture("33_GET_format.body"));
  EXPECT_EQ(EncodeList(std::vector<Lookup>{{1, "squeeze"}, {2, "wheezy"}}, LookupKind::kBuildEnv),
            Fixture("15_GET_env.body"));
  EXPECT_EQ(EncodeList(std::vector<Lookup>{{2, "build_client_arm02"},
                                           {3, "build_client_buildbox"},
                                           {1, "build_client_pyarm01"}},
                       LookupKind::kBuildClient),
            Fixture("12_GET_buildd.body"));
}

TEST(WireGolden, SuiteArchAndEnvMapping) {
  SuiteArch sa{4, kChickpea, kI386, 1};
  BuildEnvSuiteArch b{1, {2, "wheezy"}, sa};
  EXPECT_EQ(EncodeList(std::vector{b}), Fixture("31_GET_buildenv_suitearch.body"));
}

TEST(WireGolden, BlacklistAndPackages) {
  EXPECT_EQ(EncodeList(std::vector<Blacklist>{{1, "name", ".*-dev"}}),
            Fixture("38_GET_blacklist.body"));
  EXPECT_EQ(EncodeList(std::vector<Package>{{0, "envpkg", ""}}),
            Fixture("43_GET_package_names.body"));
  EXPECT_EQ(EncodeList(std::vector<Package>{{1, "envpkg", "2.0-1"}}),
            Fixture("44_GET_package_details_envpkg.body"));
}

TEST(WireGolden, BuildRequestAsPublished) {
  BuildRequest r{{1, Instance(1, kI386, true), std::nullopt, ""},
                 {"svn", "http://svn.example/svn/lwdev", "20961"},
                 "localhost:18080",
                 {}};
  EXPECT_EQ(Encode(r), AmqpBody("amqp_1_build_requests.txt", 0));
}

TEST(WireGolden, CancelRequestAsPublished) {
  CancelRequest c{{1, Instance(1, kI386, true), Lookup{4, "build_client_sample"}, ""},
                  "localhost:18080"};
  EXPECT_EQ(Encode(c), AmqpBody("amqp_2_cancel_request.txt", 0));
}

TEST(WireDecode, RoundTripsCapturedMessages) {
  for (int i = 0; i < 2; ++i) {
    std::string body = AmqpBody("amqp_1_build_requests.txt", i);
    EXPECT_EQ(Encode(DecodeBuildRequest(body)), body);
  }
  std::string cancel = AmqpBody("amqp_2_cancel_request.txt", 0);
  CancelRequest c = DecodeCancelRequest(cancel);
  EXPECT_EQ(c.job.buildclient->name, "build_client_sample");
  EXPECT_EQ(Encode(c), cancel);
}

TEST(WireDecode, AnyKeyOrderUnknownKeysAndBackReferences) {
  // jsonpickle writes an object met before as {"py/id": N}, N counting
  // tagged objects in document order: here 4 is the Suite.
  std::string text = R"({"unknown": 1, "transport": {"vcs_id": "7", "uri": "git://x", "method":
  "git"}, "job": {"buildclient": null, "id": 9, "packageinstance": {"master": true, "id": 3,
  "format": {"py/object": "pybit.models.Format", "id": 1, "name": "deb"},
  "package": {"py/object": "pybit.models.Package", "name": "hello", "version": "1.0", "id": 4},
  "arch": {"py/object": "pybit.models.Arch", "id": 5, "name": "amd64"},
  "suite": {"py/object": "pybit.models.Suite", "id": 6, "name": "bookworm"},
  "distribution": {"py/id": 4}, "build_env": null}}})";
  BuildRequest r = DecodeBuildRequest(text);
  EXPECT_EQ(r.job.id, 9);
  EXPECT_EQ(r.job.instance.package.name, "hello");
  EXPECT_EQ(r.job.instance.arch.name, "amd64");
  EXPECT_EQ(r.job.instance.dist.name, "bookworm");
  EXPECT_EQ(r.transport.method, "git");
  EXPECT_EQ(r.transport.vcs_id, "7");
}

// pyBit's controller sent `commands` as one string ("fakeroot debian/rules
// TARGET") or null; cbit sends a list.
TEST(WireDecode, CommandsAsPyBitsStringOrAList) {
  BuildRequest r{{1, Instance(1, kI386, true), std::nullopt, ""},
                 {"apt", "", ""},
                 "localhost:18080",
                 {"get-orig-source", "clean"}};
  EXPECT_EQ(DecodeBuildRequest(Encode(r)).commands, r.commands);
  std::string body = AmqpBody("amqp_1_build_requests.txt", 0);
  std::string tail = "\"timestamp\": null}";
  ASSERT_EQ(body.substr(body.size() - tail.size()), tail);
  std::string head = body.substr(0, body.size() - 1);
  EXPECT_EQ(DecodeBuildRequest(head + R"(, "commands": "fakeroot debian/rules get-orig-source"})")
                .commands,
            std::vector<std::string>{"fakeroot debian/rules get-orig-source"});
  EXPECT_TRUE(DecodeBuildRequest(head + R"(, "commands": null})").commands.empty());
  EXPECT_TRUE(DecodeBuildRequest(head + R"(, "commands": ""})").commands.empty());
}

TEST(WireDecode, ErrorsNameTheProblem) {
  EXPECT_THROW(DecodeBuildRequest("not json"), DecodeError);
  try {
    DecodeBuildRequest(R"({"job": {"id": 1}})");
    FAIL();
  } catch (const DecodeError& e) {
    EXPECT_NE(std::string(e.what()).find("packageinstance"), std::string::npos);
  }
  EXPECT_THROW(DecodeJob(R"({"id": 1, "packageinstance": {"py/id": 9}})"), DecodeError);
}

TEST(WireTime, FormatsAsPyBit) {
  EXPECT_EQ(FormatTime(1795460145403737), "2026-11-23 18:55:45.403737");
  EXPECT_EQ(FormatTime(1795460145000001), "2026-11-23 18:55:45.000001");
}

}  // namespace
}  // namespace cbit::wire
