#include "web/config.h"

#include <gtest/gtest.h>

#include <fstream>

#include "testing/test_dir.h"

namespace cbit::web {
namespace {

// Loads `text` as a config file, from a directory that goes on return.
Config Load(const std::string& text) {
  testing::TestDir dir;
  const std::string path = (dir.path() / "cbit.json").string();
  std::ofstream(path) << text;
  return LoadConfig(path);
}

TEST(Config, AcceptsPyBitWebConf) {
  // pyBit's web.conf sections, with ports as strings as pyBit wrote them.
  Config c = Load(R"({
    "web": {"hostname": "buildd.example", "port": "8080", "interface": "0.0.0.0",
            "jqueryurl": "ignored"},
    "db": {"hostname": "db.example", "port": 5432, "databasename": "pybit",
           "user": "pybit", "password": "s3cret"},
    "controller": {"rabbit_url": "mq.example:5673", "rabbit_userid": "u",
                   "rabbit_password": "p", "rabbit_virtual_host": "/farm",
                   "rabbit_exchange": "pybit"}})");
  EXPECT_EQ(c.port, 8080);
  EXPECT_EQ(c.WebHost(), "buildd.example:8080");
  EXPECT_EQ(c.db_backend, "postgres");
  EXPECT_EQ(c.pg_conninfo,
            "host='db.example' port=5432 dbname='pybit' user='pybit' password='s3cret' ");
  EXPECT_EQ(c.amqp.host, "mq.example");
  EXPECT_EQ(c.amqp.port, 5673);
  EXPECT_EQ(c.amqp.user, "u");
  EXPECT_EQ(c.amqp.vhost, "/farm");
}

TEST(Config, DefaultsToSqliteAndRefusesPlainPasswords) {
  Config c = Load(R"({"web": {"users": {"admin": "$argon2id$x"}}})");
  EXPECT_EQ(c.db_backend, "sqlite");
  EXPECT_EQ(c.job_cache, 65536);
  EXPECT_EQ(c.users.at("admin").hash, "$argon2id$x");
  EXPECT_EQ(c.users.at("admin").role, Role::kAdmin);
  EXPECT_EQ(c.WebHost(), "localhost:8080");
  EXPECT_THROW(Load(R"({"web": {"username": "admin", "password": "pass"}})"), ConfigError);
}

TEST(Config, UsersWithRolesAndBoundClients) {
  Config c = Load(R"({"web": {"users": {
    "b": {"hash": "$argon2id$b", "role": "builder", "client": "build_client_x",
          "queues": ["Debian_i386_chickpea_deb"]},
    "w": {"hash": "$argon2id$w", "role": "watcher"}}}})");
  EXPECT_EQ(c.users.at("b").role, Role::kBuilder);
  EXPECT_EQ(c.users.at("b").client, "build_client_x");
  EXPECT_EQ(c.users.at("b").queues, std::vector<std::string>{"Debian_i386_chickpea_deb"});
  EXPECT_EQ(c.users.at("w").role, Role::kWatcher);
  EXPECT_THROW(Load(R"({"web": {"users": {"b": {"hash": "h", "role": "builder"}}}})"), ConfigError);
  EXPECT_THROW(Load(R"({"web": {"users": {"b": {"hash": "h", "role": "root"}}}})"), ConfigError);
  EXPECT_THROW(Load(R"({"web": {"users": {"b": {"role": "reader"}}}})"), ConfigError);
  EXPECT_THROW(
      Load(R"({"web": {"users": {"w": {"hash": "h", "role": "watcher", "client": "c"}}}})"),
      ConfigError);
  EXPECT_THROW(Load(R"({"web": {"users": {"x": 3}}})"), ConfigError);
}

TEST(Config, ServerLimitsAndLogKeys) {
  Config c = Load(R"({
    "web": {"io_threads": 3, "head_timeout": 4, "max_body": 1000, "max_body_memory": 5000,
            "max_connections": 7, "max_connections_per_address": 2},
    "controller": {"log_limit_bytes": 8192, "log_keep_attempts": 2, "log_keep_days": 30}})");
  EXPECT_EQ(c.io_threads, 3);
  EXPECT_EQ(c.head_timeout, 4);
  EXPECT_EQ(c.max_body, 1000);
  EXPECT_EQ(c.max_body_memory, 5000);
  EXPECT_EQ(c.max_connections, 7);
  EXPECT_EQ(c.max_connections_per_address, 2);
  EXPECT_EQ(c.log_limit_bytes, 8192);
  EXPECT_EQ(c.log_keep_attempts, 2);
  EXPECT_EQ(c.log_keep_days, 30);
  auto refused = [](const std::string& text, const std::string& key) {
    try {
      Load(text);
      ADD_FAILURE() << "accepted " << text;
    } catch (const ConfigError& e) {
      EXPECT_NE(std::string(e.what()).find(key), std::string::npos) << e.what();
    }
  };
  refused(R"({"web": {"max_body_memory": 0}})", "web.max_body_memory");
  refused(R"({"web": {"max_connections_per_address": -1}})", "web.max_connections_per_address");
  refused(R"({"controller": {"log_limit_bytes": 100}})", "controller.log_limit_bytes");
  refused(R"({"controller": {"log_keep_attempts": -1}})", "controller.log_keep_attempts");
  refused(R"({"controller": {"log_keep_days": -2}})", "controller.log_keep_days");
}

TEST(Config, EventKeys) {
  Config c = Load(R"({"web": {"events_kept": 10, "events_poll_ms": 250, "events_keepalive": 5,
                              "stream_backlog": 65536}})");
  EXPECT_EQ(c.events_kept, 10);
  EXPECT_EQ(c.events_poll_ms, 250);
  EXPECT_EQ(c.events_keepalive, 5);
  EXPECT_EQ(c.stream_backlog, 65536);
  for (const char* bad : {R"({"web": {"events_kept": 0}})", R"({"web": {"events_poll_ms": -1}})",
                          R"({"web": {"stream_backlog": 1000}})"}) {
    EXPECT_THROW(Load(bad), ConfigError) << bad;
  }
}

TEST(Config, Webhooks) {
  Config c = Load(R"({"webhooks": {"github": {"secret": "gh"},
    "gitlab": {"token": "gl"}, "cache_dir": "/var/cache/cbit", "distribution": "Mine",
    "allowed_uri_prefixes": ["https://git.example/"], "max_attempts": 3, "retry_seconds": 5,
    "mirror_keep_days": 7}})");
  EXPECT_TRUE(c.webhooks.enabled());
  EXPECT_EQ(c.webhooks.max_attempts, 3);
  EXPECT_EQ(c.webhooks.retry_seconds, 5);
  EXPECT_EQ(c.webhooks.mirror_keep_days, 7);
  EXPECT_EQ(Load("{}").webhooks.mirror_keep_days, 30);
  EXPECT_EQ(c.webhooks.github_secret, "gh");
  EXPECT_EQ(c.webhooks.gitlab_token, "gl");
  EXPECT_EQ(c.webhooks.gitea_secret, "");
  EXPECT_EQ(c.webhooks.cache_dir, "/var/cache/cbit");
  EXPECT_EQ(c.webhooks.distribution, "Mine");
  EXPECT_EQ(c.webhooks.format, "deb");
  EXPECT_EQ(c.webhooks.allowed_uri_prefixes, std::vector<std::string>{"https://git.example/"});
  EXPECT_FALSE(Load("{}").webhooks.enabled());
  EXPECT_THROW(Load(R"({"webhooks": {"github": "gh"}})"), ConfigError);
  EXPECT_THROW(Load(R"({"webhooks": {"allowed_uri_prefixes": "x"}})"), ConfigError);
  EXPECT_THROW(Load(R"({"webhooks": {"max_attempts": 0}})"), ConfigError);
  EXPECT_THROW(Load(R"({"webhooks": {"retry_seconds": -1}})"), ConfigError);
  EXPECT_THROW(Load(R"({"webhooks": {"mirror_keep_days": -1}})"), ConfigError);
}

TEST(Config, Leases) {
  Config defaults = Load("{}");
  EXPECT_EQ(defaults.lease_seconds, 300);
  EXPECT_EQ(defaults.max_attempts, 3);
  Config c = Load(R"({"controller": {"lease_seconds": 5, "max_attempts": 1}})");
  EXPECT_EQ(c.lease_seconds, 5);
  EXPECT_EQ(c.max_attempts, 1);
  for (const char* bad :
       {R"({"controller": {"lease_seconds": 0}})", R"({"controller": {"max_attempts": 0}})"}) {
    try {
      Load(bad);
      ADD_FAILURE() << bad;
    } catch (const ConfigError& e) {
      EXPECT_NE(std::string(e.what()).find("controller."), std::string::npos) << e.what();
    }
  }
}

TEST(Config, ErrorsNameTheKey) {
  try {
    Load(R"({"web": {"port": [1]}})");
    FAIL();
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("web.port"), std::string::npos);
  }
  EXPECT_THROW(Load("not json"), ConfigError);
  EXPECT_THROW(LoadConfig("/nonexistent/cbit.json"), ConfigError);
  EXPECT_THROW(Load(R"({"db": {"backend": "mysql"}})"), ConfigError);
  EXPECT_EQ(Load(R"({"db": {"job_cache": 0}})").job_cache, 0);
  try {
    Load(R"({"db": {"job_cache": -1}})");
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
  SetAmqpAddress(c, "mq1:5800,mq2");
  EXPECT_EQ(c.amqp.Addresses(), (std::vector<queue::BrokerAddress>{{"mq1", 5800}, {"mq2", 5999}}));
  EXPECT_THROW(SetAmqpAddress(c, "mq1,,mq2"), ConfigError);
}

TEST(Config, RabbitUrlAsAListOfNodesAndQuorumQueues) {
  Config c = Load(R"({"controller": {"rabbit_url": ["mq1", "mq2:5800"], "rabbit_port": 5673,
                                     "queue_type": "quorum"}})");
  EXPECT_EQ(c.amqp.Addresses(), (std::vector<queue::BrokerAddress>{{"mq1", 5673}, {"mq2", 5800}}));
  EXPECT_EQ(c.amqp.queue_type, queue::QueueType::kQuorum);
  EXPECT_EQ(c.amqp.queue_type_key, "controller.queue_type");
  // pyBit's single address: rabbit_port wins, as it always did.
  c = Load(R"({"controller": {"rabbit_url": "mq1:5800", "rabbit_port": 5673}})");
  EXPECT_EQ(c.amqp.Addresses(), (std::vector<queue::BrokerAddress>{{"mq1", 5673}}));
  EXPECT_EQ(c.amqp.queue_type, queue::QueueType::kClassic);
  EXPECT_THROW(Load(R"({"controller": {"rabbit_url": []}})"), ConfigError);
  EXPECT_THROW(Load(R"({"controller": {"rabbit_url": ["mq1:0"]}})"), ConfigError);
  EXPECT_THROW(Load(R"({"controller": {"queue_type": "lazy"}})"), ConfigError);
}

}  // namespace
}  // namespace cbit::web
