#include "client/config.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace cbit::client {
namespace {

nlohmann::json Minimal() {
  return {{"clientid", "build_client_amd64"},
          {"host_arch", "amd64"},
          {"distribution", "Debian"},
          {"suites", {"bookworm", "chickpea"}},
          {"userid", "guest"},
          {"password", "guest"},
          {"dput_dest", "incoming"},
          {"controller_url", "http://localhost:8080"},
          {"controller_user", "admin"},
          {"controller_password", "secret"}};
}

TEST(ClientConfig, PyBitKeysAndDefaults) {
  nlohmann::json j = Minimal();
  j["port"] = "5673";  // pyBit wrote numbers as strings
  j["dry_run"] = "true";
  j["poll_time"] = 60;
  j["use_lvm"] = false;
  j["dput"] = "-U";
  ClientConfig c = ParseConfig(j.dump());
  EXPECT_EQ(c.clientid, "build_client_amd64");
  EXPECT_EQ(c.suites, (std::vector<std::string>{"bookworm", "chickpea"}));
  EXPECT_EQ(c.amqp.port, 5673);
  EXPECT_EQ(c.amqp.exchange, "pybit");
  EXPECT_TRUE(c.dry_run);
  EXPECT_EQ(c.pkg_format, "deb");
  EXPECT_EQ(c.build.kind, BuilderKind::kSbuildSchroot);
  EXPECT_EQ(c.retry_base, std::chrono::seconds(30));
  EXPECT_EQ(c.Upload().target, "incoming");
  EXPECT_EQ(c.lease_renew, std::chrono::seconds(10));
  EXPECT_EQ(c.heartbeat, std::chrono::seconds(30));
}

TEST(ClientConfig, OneBrokerByDefaultClassicQueues) {
  nlohmann::json j = Minimal();
  j["host"] = "mq.example";
  ClientConfig c = ParseConfig(j.dump());
  EXPECT_EQ(c.amqp.Addresses(), (std::vector<queue::BrokerAddress>{{"mq.example", 5672}}));
  EXPECT_EQ(c.amqp.queue_type, queue::QueueType::kClassic);
}

TEST(ClientConfig, TheNodesOfAClusterAndQuorumQueues) {
  nlohmann::json j = Minimal();
  j["host"] = {"mq1", "mq2:5800", "mq3"};
  j["port"] = 5673;
  j["queue_type"] = "quorum";
  ClientConfig c = ParseConfig(j.dump());
  EXPECT_EQ(c.amqp.Addresses(),
            (std::vector<queue::BrokerAddress>{{"mq1", 5673}, {"mq2", 5800}, {"mq3", 5673}}));
  EXPECT_EQ(c.amqp.queue_type, queue::QueueType::kQuorum);
  EXPECT_EQ(c.amqp.queue_type_key, "config key 'queue_type'");
}

TEST(ClientConfig, LeaseRenewalAndHeartbeat) {
  nlohmann::json j = Minimal();
  j["lease_renew_seconds"] = 2;
  j["heartbeat_seconds"] = 5;
  ClientConfig c = ParseConfig(j.dump());
  EXPECT_EQ(c.lease_renew, std::chrono::seconds(2));
  EXPECT_EQ(c.heartbeat, std::chrono::seconds(5));
}

TEST(ClientConfig, BuilderChoices) {
  nlohmann::json j = Minimal();
  j["builder"] = "host";
  EXPECT_EQ(ParseConfig(j.dump()).build.kind, BuilderKind::kHost);
  j["builder"] = "sbuild";
  j["sbuild_mode"] = "unshare";
  EXPECT_THROW(ParseConfig(j.dump()), ConfigError);  // no chroot_dir
  j["chroot_dir"] = "/srv/chroots";
  EXPECT_EQ(ParseConfig(j.dump()).build.kind, BuilderKind::kSbuildUnshare);
  j["builder"] = "pbuilder";
  EXPECT_THROW(ParseConfig(j.dump()), ConfigError);
}

TEST(ClientConfig, IsolatedBuilder) {
  nlohmann::json j = Minimal();
  j["builder"] = "isolated";
  ClientConfig c = ParseConfig(j.dump());
  EXPECT_EQ(c.build.kind, BuilderKind::kIsolated);
  EXPECT_EQ(c.build.roots_dir, "/var/lib/cbit-client/roots");
  EXPECT_FALSE(c.build.build_network);
  j["roots_dir"] = "/srv/roots";
  j["build_network"] = true;
  c = ParseConfig(j.dump());
  EXPECT_EQ(c.build.roots_dir, "/srv/roots");
  EXPECT_TRUE(c.build.build_network);
  // The overlay's options are separated by ',' and ':'.
  j["roots_dir"] = "/srv/a,b";
  EXPECT_THROW(ParseConfig(j.dump()), ConfigError);
  j["roots_dir"] = "relative";
  EXPECT_THROW(ParseConfig(j.dump()), ConfigError);
}

// cross_arches: the architectures cross-built on host_arch (dpkg-buildpackage
// -a, sbuild --host); none by default.
TEST(ClientConfig, CrossArchesDefaultToNoneAndAreChecked) {
  nlohmann::json j = Minimal();
  ClientConfig c = ParseConfig(j.dump());
  EXPECT_TRUE(c.build.cross_arches.empty());
  EXPECT_EQ(c.build.build_arch, "amd64");
  j["builder"] = "host";
  j["cross_arches"] = {"arm64", "armhf"};
  c = ParseConfig(j.dump());
  EXPECT_EQ(c.build.cross_arches, (std::vector<std::string>{"arm64", "armhf"}));
  EXPECT_EQ(c.build.build_arch, "amd64");

  auto refused = [&](const nlohmann::json& value) {
    nlohmann::json k = j;
    k["cross_arches"] = value;
    try {
      ParseConfig(k.dump());
    } catch (const ConfigError& e) {
      return std::string(e.what());
    }
    return std::string("accepted");
  };
  EXPECT_EQ(refused({"amd64"}), "cross_arches: 'amd64' is host_arch, which is built natively");
  EXPECT_EQ(refused({"ARM64"}), "cross_arches: 'ARM64' is not an architecture");
  EXPECT_EQ(refused({"arm64; rm"}), "cross_arches: 'arm64; rm' is not an architecture");
  EXPECT_EQ(refused({"all"}), "cross_arches: 'all' is not an architecture");
  EXPECT_EQ(refused({"arm64", "arm64"}), "cross_arches: 'arm64' is named twice");
  EXPECT_EQ(refused("arm64"), "config key 'cross_arches' has the wrong type");
  // The isolated builder cross-builds in a root made with --cross.
  j["builder"] = "isolated";
  EXPECT_EQ(refused({"arm64"}), "accepted");
  EXPECT_EQ(refused({"amd64"}), "cross_arches: 'amd64' is host_arch, which is built natively");
  j["builder"] = "sbuild";
  EXPECT_EQ(refused({"arm64"}), "accepted");
}

TEST(ClientConfig, StepTimeLimits) {
  nlohmann::json j = Minimal();
  ClientConfig c = ParseConfig(j.dump());
  EXPECT_EQ(c.limits.fetch, std::chrono::seconds(3600));
  EXPECT_EQ(c.limits.build, std::chrono::hours(24));
  EXPECT_EQ(c.limits.upload, std::chrono::seconds(1800));
  EXPECT_EQ(c.infra_retries, 3);
  j["build_timeout_seconds"] = 7200;
  j["fetch_timeout_seconds"] = 60;
  j["upload_timeout_seconds"] = 0;  // none
  c = ParseConfig(j.dump());
  EXPECT_EQ(c.limits.build, std::chrono::seconds(7200));
  EXPECT_EQ(c.limits.fetch, std::chrono::seconds(60));
  EXPECT_EQ(c.limits.upload, std::chrono::seconds(0));
  j["build_timeout_hours"] = 2;
  EXPECT_THROW(ParseConfig(j.dump()), ConfigError);  // both
  j.erase("build_timeout_seconds");
  j["build_timeout_hours"] = 1.5;
  EXPECT_EQ(ParseConfig(j.dump()).limits.build, std::chrono::seconds(5400));
  j["build_timeout_hours"] = -1;
  EXPECT_THROW(ParseConfig(j.dump()), ConfigError);
  j.erase("build_timeout_hours");
  j["fetch_timeout_seconds"] = -1;
  EXPECT_THROW(ParseConfig(j.dump()), ConfigError);
  j["fetch_timeout_seconds"] = 60;
  j["infra_retries"] = -1;
  EXPECT_THROW(ParseConfig(j.dump()), ConfigError);
}

TEST(ClientConfig, JobsRunAtOnceDefaultToOneAndAreBounded) {
  nlohmann::json j = Minimal();
  EXPECT_EQ(ParseConfig(j.dump()).jobs, 1);
  j["jobs"] = 4;
  EXPECT_EQ(ParseConfig(j.dump()).jobs, 4);
  for (int bad : {0, -1, kMaxJobs + 1}) {
    j["jobs"] = bad;
    try {
      ParseConfig(j.dump());
      ADD_FAILURE() << "accepted jobs " << bad;
    } catch (const ConfigError& e) {
      EXPECT_NE(std::string(e.what()).find("'jobs' must be from 1 to 64"), std::string::npos)
          << e.what();
    }
  }
}

TEST(ClientConfig, PerSuiteLimitsOverrideTheClientsOwn) {
  nlohmann::json j = Minimal();
  j["suites"] = {"bookworm", "sid"};
  j["fetch_timeout_seconds"] = 60;
  j["suite_limits"] = {{"sid", {{"build_timeout_hours", 48}}}};
  ClientConfig c = ParseConfig(j.dump());
  EXPECT_EQ(c.LimitsFor("sid").build, std::chrono::hours(48));
  EXPECT_EQ(c.LimitsFor("sid").fetch, std::chrono::seconds(60));  // the client's
  EXPECT_EQ(c.LimitsFor("bookworm").build, std::chrono::hours(24));
  auto refused = [&](nlohmann::json limits, const std::string& says) {
    j["suite_limits"] = std::move(limits);
    try {
      ParseConfig(j.dump());
      ADD_FAILURE() << "accepted " << j["suite_limits"].dump();
    } catch (const ConfigError& e) {
      EXPECT_NE(std::string(e.what()).find(says), std::string::npos) << e.what();
    }
  };
  refused({{"buster", {{"build_timeout_hours", 1}}}}, "'buster' is not one of the client's suites");
  refused({{"sid", {{"build_timeout", 1}}}}, "suite_limits.sid: unknown key 'build_timeout'");
  refused({{"sid", {{"fetch_timeout_seconds", -5}}}}, "suite_limits.sid");
  refused({{"sid", 5}}, "suite_limits.sid must be an object");
  refused(5, "'suite_limits' must be an object");
}

TEST(ClientConfig, ATokenReplacesTheControllerUserAndPassword) {
  nlohmann::json j = Minimal();
  j.erase("controller_user");
  j.erase("controller_password");
  j["token"] = "cbit_abc";
  ClientConfig c = ParseConfig(j.dump());
  EXPECT_EQ(c.controller_token, "cbit_abc");
  EXPECT_EQ(c.controller_user, "");
}

TEST(ClientConfig, MissingCredentialsAreRefusedNamingTheKey) {
  for (const char* key : {"userid", "password", "controller_user", "controller_password"}) {
    nlohmann::json j = Minimal();
    j.erase(key);
    try {
      ParseConfig(j.dump());
      ADD_FAILURE() << key << " accepted missing";
    } catch (const ConfigError& e) {
      EXPECT_NE(std::string(e.what()).find(key), std::string::npos) << e.what();
    }
  }
}

// pyBit's packaged client.conf says "configured": false until the admin has
// edited it, and pyBit's client would not start from it.
TEST(ClientConfig, AnUnconfiguredPyBitTemplateIsRefused) {
  nlohmann::json j = Minimal();
  j["configured"] = false;
  try {
    ParseConfig(j.dump());
    ADD_FAILURE() << "\"configured\": false accepted";
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("configured"), std::string::npos) << e.what();
  }
  // Refused before any other key is checked: the template's other keys are
  // empty, and the message must name the real cause.
  nlohmann::json template_conf = {{"configured", false}, {"clientid", ""}, {"host_arch", ""}};
  try {
    ParseConfig(template_conf.dump());
    ADD_FAILURE() << "template accepted";
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("configured"), std::string::npos) << e.what();
  }
  j["configured"] = true;
  EXPECT_EQ(ParseConfig(j.dump()).clientid, "build_client_amd64");
}

TEST(ClientConfig, SeveralControllersAreKeptInOrder) {
  EXPECT_EQ(ParseConfig(Minimal().dump()).controller_urls,
            std::vector<std::string>{"http://localhost:8080"});
  nlohmann::json j = Minimal();
  j["controller_url"] = {"http://a:8080", "http://b:8080"};
  ClientConfig c = ParseConfig(j.dump());
  EXPECT_EQ(c.controller_urls, (std::vector<std::string>{"http://a:8080", "http://b:8080"}));
  EXPECT_EQ(c.controller_url, "http://a:8080");
}

TEST(ClientConfig, MalformedValuesAreRefused) {
  auto refused = [](const char* key, const nlohmann::json& value) {
    nlohmann::json j = Minimal();
    j[key] = value;
    EXPECT_THROW(ParseConfig(j.dump()), ConfigError) << key << " = " << value;
  };
  refused("clientid", "-rf");
  refused("host_arch", "AMD64");
  refused("suites", nlohmann::json::array());
  refused("suites", {"ok", "bad suite"});
  refused("controller_url", "localhost:8080");
  refused("controller_url", nlohmann::json::array());
  refused("controller_url", {"http://a:1", "b:2"});
  refused("controller_url", {1});
  refused("retry_base_seconds", 0);
  refused("lease_renew_seconds", 0);
  refused("heartbeat_seconds", 0);
  refused("port", "many");
  refused("host", nlohmann::json::array());
  refused("host", {"mq1", "mq2:x"});
  refused("host", {"mq1", 2});
  refused("queue_type", "stream");
  refused("queue_type", true);
  EXPECT_THROW(ParseConfig("not json"), ConfigError);
}

}  // namespace
}  // namespace cbit::client
