#include "watcher/config.h"

#include <gtest/gtest.h>

namespace cbit::watcher {
namespace {

constexpr const char* kCredentials = R"("controller_url": "http://localhost:8080",
  "controller_user": "watcher", "controller_password": "s3cret")";

TEST(WatcherConfig, ATokenReplacesTheControllerUserAndPassword) {
  auto c = ParseConfig(R"({"rules": {"/in": {"repobase": "/repo", "rule": "r"}},
    "controller_url": "http://localhost:8080", "token": "cbit_abc"})");
  EXPECT_EQ(c.controller_token, "cbit_abc");
  EXPECT_THROW(ParseConfig(R"({"rules": {"/in": {"repobase": "/repo", "rule": "r"}},
    "controller_url": "http://localhost:8080"})"),
               ConfigError);
}

// pyBit's configs/watcher/watcher.conf, with cbit's controller keys added.
TEST(WatcherConfig, ReadsPyBitsShape) {
  auto c = ParseConfig(std::string(R"({"configured": true, "dryrun": "true", "sleeptime": "5",
    "rules": {"/tmp/watcher/2": {"repobase": "/path/to/repo2", "rule": "wheezy"},
              "/tmp/watcher/1/": {"repobase": "/path/to/repo1", "rule": "squeeze"}},
    "user": "repo", )") +
                       kCredentials + "}");
  ASSERT_EQ(c.rules.size(), 2u);
  EXPECT_EQ(c.rules[0].incoming, "/tmp/watcher/1");
  EXPECT_EQ(c.rules[0].repobase, "/path/to/repo1");
  EXPECT_EQ(c.rules[0].rule, "squeeze");
  EXPECT_EQ(c.rules[1].rule, "wheezy");
  EXPECT_TRUE(c.dryrun);
  EXPECT_EQ(c.sleeptime, std::chrono::seconds(5));
  EXPECT_EQ(c.user, "repo");
  EXPECT_EQ(c.controller_url, "http://localhost:8080");
  EXPECT_EQ(c.controller_user, "watcher");
  EXPECT_EQ(c.controller_password, "s3cret");
  EXPECT_EQ(c.failed_dir, "failed");
  EXPECT_EQ(c.spool_dir, "/tmp/watcher/1/reports");
  EXPECT_EQ(c.http_timeout, std::chrono::seconds(10));
}

TEST(WatcherConfig, DefaultsAndCbitKeys) {
  auto c = ParseConfig(std::string(R"({"rules": {"/srv/in": {"repobase": "/srv/repo",
    "rule": "cbit"}}, "http_timeout_seconds": 3, "reprepro_timeout_seconds": 60,
    "retry_max_seconds": 30, "failed_dir": "refused", "spool_dir": "/var/spool/w", )") +
                       kCredentials + "}");
  EXPECT_FALSE(c.dryrun);
  EXPECT_EQ(c.sleeptime, std::chrono::seconds(3));
  EXPECT_EQ(c.http_timeout, std::chrono::seconds(3));
  EXPECT_EQ(c.reprepro_timeout, std::chrono::seconds(60));
  EXPECT_EQ(c.retry_max, std::chrono::seconds(30));
  EXPECT_EQ(c.failed_dir, "refused");
  EXPECT_EQ(c.spool_dir, "/var/spool/w");
}

void ExpectRefused(const std::string& json, const std::string& needle) {
  try {
    ParseConfig(json);
    ADD_FAILURE() << "accepted: " << json;
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find(needle), std::string::npos) << e.what();
  }
}

TEST(WatcherConfig, RefusesWhatCannotWork) {
  std::string rules = R"("rules": {"/in": {"repobase": "/repo", "rule": "r"}})";
  ExpectRefused("[]", "JSON object");
  ExpectRefused("{", "not JSON");
  ExpectRefused(std::string(R"({"configured": false, )") + rules + ", " + kCredentials + "}",
                "configured");
  ExpectRefused(std::string("{") + kCredentials + "}", "rules");
  ExpectRefused(std::string(R"({"rules": {}, )") + kCredentials + "}", "rules");
  ExpectRefused(
      std::string(R"({"rules": {"in": {"repobase": "/repo", "rule": "r"}}, )") + kCredentials + "}",
      "absolute");
  ExpectRefused(
      std::string(R"({"rules": {"/in": {"repobase": "repo", "rule": "r"}}, )") + kCredentials + "}",
      "absolute");
  ExpectRefused(std::string(R"({"rules": {"/in": {"repobase": "/repo", "rule": "-x"}}, )") +
                    kCredentials + "}",
                "malformed");
  ExpectRefused(std::string(R"({"rules": {"/in": {"repobase": "/repo"}}, )") + kCredentials + "}",
                "'rule'");
  ExpectRefused("{" + rules + R"(, "controller_url": "http://x", "controller_user": "u"})",
                "controller_password");
  ExpectRefused("{" + rules +
                    R"(, "controller_url": "ftp://x", "controller_user": "u",
                    "controller_password": "p"})",
                "http://");
  ExpectRefused("{" + rules + R"(, "sleeptime": -1, )" + kCredentials + "}", "sleeptime");
  ExpectRefused("{" + rules + R"(, "sleeptime": [], )" + kCredentials + "}", "wrong type");
  ExpectRefused("{" + rules + R"(, "failed_dir": "../x", )" + kCredentials + "}", "failed_dir");
  ExpectRefused("{" + rules + R"(, "spool_dir": "spool", )" + kCredentials + "}", "spool_dir");
}

TEST(WatcherConfig, ControllerUrlIsOneUrlOrAList) {
  const std::string rules = R"({"rules": {"/in": {"repobase": "/repo", "rule": "r"}}, )";
  auto one = ParseConfig(rules + kCredentials + "}");
  EXPECT_EQ(one.controller_urls, std::vector<std::string>{"http://localhost:8080"});
  auto two = ParseConfig(rules + R"("controller_url": ["http://a:8080", "https://b:8443/cbit"],
    "token": "cbit_abc"})");
  EXPECT_EQ(two.controller_urls,
            (std::vector<std::string>{"http://a:8080", "https://b:8443/cbit"}));
  EXPECT_EQ(two.controller_url, "http://a:8080");
}

TEST(WatcherConfig, RefusesAControllerListThatCannotWork) {
  const std::string rules = R"({"rules": {"/in": {"repobase": "/repo", "rule": "r"}}, )";
  auto with = [&](const std::string& urls) {
    return rules + R"("token": "cbit_abc", "controller_url": )" + urls + "}";
  };
  ExpectRefused(with("[]"), "lists no URL");
  ExpectRefused(with(R"(["http://a:1", 2])"), "must list URLs");
  ExpectRefused(with(R"(["http://a:1", "b:2"])"), "'b:2' must start with http://");
  ExpectRefused(with("{}"), "controller_url");
}

}  // namespace
}  // namespace cbit::watcher
