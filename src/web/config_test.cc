#include "web/config.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>

namespace cbit::web {
namespace {

std::string WriteTemp(const std::string& text) {
  char path[] = "/tmp/cbit-config-XXXXXX";
  int fd = mkstemp(path);
  close(fd);
  std::ofstream(path) << text;
  return path;
}

TEST(Config, AcceptsPyBitWebConf) {
  // pyBit's web.conf sections, with ports as strings as pyBit wrote them.
  std::string path = WriteTemp(R"({
    "web": {"hostname": "buildd.example", "port": "8080", "interface": "0.0.0.0",
            "jqueryurl": "ignored"},
    "db": {"hostname": "db.example", "port": 5432, "databasename": "pybit",
           "user": "pybit", "password": "s3cret"},
    "controller": {"rabbit_url": "mq.example:5673", "rabbit_userid": "u",
                   "rabbit_password": "p", "rabbit_virtual_host": "/farm",
                   "rabbit_exchange": "pybit"}})");
  Config c = LoadConfig(path);
  EXPECT_EQ(c.port, 8080);
  EXPECT_EQ(c.WebHost(), "buildd.example:8080");
  EXPECT_EQ(c.db_backend, "postgres");
  EXPECT_EQ(c.pg_conninfo,
            "host='db.example' port=5432 dbname='pybit' user='pybit' password='s3cret' ");
  EXPECT_EQ(c.amqp.host, "mq.example");
  EXPECT_EQ(c.amqp.port, 5673);
  EXPECT_EQ(c.amqp.user, "u");
  EXPECT_EQ(c.amqp.vhost, "/farm");
  unlink(path.c_str());
}

TEST(Config, DefaultsToSqliteAndRefusesPlainPasswords) {
  Config c = LoadConfig(WriteTemp(R"({"web": {"users": {"admin": "$argon2id$x"}}})"));
  EXPECT_EQ(c.db_backend, "sqlite");
  EXPECT_EQ(c.job_cache, 65536);
  EXPECT_EQ(c.users.at("admin"), "$argon2id$x");
  EXPECT_EQ(c.WebHost(), "localhost:8080");
  EXPECT_THROW(LoadConfig(WriteTemp(R"({"web": {"username": "admin", "password": "pass"}})")),
               ConfigError);
}

TEST(Config, Webhooks) {
  std::string path = WriteTemp(R"({"webhooks": {"github": {"secret": "gh"},
    "gitlab": {"token": "gl"}, "cache_dir": "/var/cache/cbit", "distribution": "Mine",
    "allowed_uri_prefixes": ["https://git.example/"]}})");
  Config c = LoadConfig(path);
  EXPECT_TRUE(c.webhooks.enabled());
  EXPECT_EQ(c.webhooks.github_secret, "gh");
  EXPECT_EQ(c.webhooks.gitlab_token, "gl");
  EXPECT_EQ(c.webhooks.gitea_secret, "");
  EXPECT_EQ(c.webhooks.cache_dir, "/var/cache/cbit");
  EXPECT_EQ(c.webhooks.distribution, "Mine");
  EXPECT_EQ(c.webhooks.format, "deb");
  EXPECT_EQ(c.webhooks.allowed_uri_prefixes, std::vector<std::string>{"https://git.example/"});
  EXPECT_FALSE(LoadConfig(WriteTemp("{}")).webhooks.enabled());
  EXPECT_THROW(LoadConfig(WriteTemp(R"({"webhooks": {"github": "gh"}})")), ConfigError);
  EXPECT_THROW(LoadConfig(WriteTemp(R"({"webhooks": {"allowed_uri_prefixes": "x"}})")),
               ConfigError);
  unlink(path.c_str());
}

TEST(Config, ErrorsNameTheKey) {
  try {
    LoadConfig(WriteTemp(R"({"web": {"port": [1]}})"));
    FAIL();
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("web.port"), std::string::npos);
  }
  EXPECT_THROW(LoadConfig(WriteTemp("not json")), ConfigError);
  EXPECT_THROW(LoadConfig("/nonexistent/cbit.json"), ConfigError);
  EXPECT_THROW(LoadConfig(WriteTemp(R"({"db": {"backend": "mysql"}})")), ConfigError);
  EXPECT_EQ(LoadConfig(WriteTemp(R"({"db": {"job_cache": 0}})")).job_cache, 0);
  try {
    LoadConfig(WriteTemp(R"({"db": {"job_cache": -1}})"));
    FAIL();
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("db.job_cache"), std::string::npos);
  }
}

TEST(Config, CommandLineForms) {
  Config c;
  SetDatabase(c, "postgres:host=/tmp dbname=cbit");
  EXPECT_EQ(c.db_backend, "postgres");
  EXPECT_EQ(c.pg_conninfo, "host=/tmp dbname=cbit");
  SetDatabase(c, "sqlite:/var/lib/cbit/db");
  EXPECT_EQ(c.sqlite_path, "/var/lib/cbit/db");
  EXPECT_THROW(SetDatabase(c, "mysql:x"), ConfigError);
  SetAmqpAddress(c, "127.0.0.1:5999");
  EXPECT_EQ(c.amqp.port, 5999);
  EXPECT_THROW(SetAmqpAddress(c, "host:port"), ConfigError);
}

}  // namespace
}  // namespace cbit::web
