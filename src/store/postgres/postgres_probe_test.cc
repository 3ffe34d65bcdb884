#include "store/postgres/postgres_probe.h"

#include <gtest/gtest.h>

namespace cbit::store {
namespace {

using peercheck::State;

TEST(PostgresProbe, AServerThatSaysNoIsARefusal) {
  for (const char* m :
       {"connection to server at \"10.0.0.1\", port 5432 failed: FATAL:  password "
        "authentication failed for user \"cbit\"",
        "connection to server on socket \"/x/.s.PGSQL.5432\" failed: FATAL:  database \"nope\" "
        "does not exist",
        "connection to server at \"::1\", port 5432 failed: FATAL:  no pg_hba.conf entry for host"})
    EXPECT_EQ(ClassifyPostgresFailure(m).state, State::kRefused) << m;
}

TEST(PostgresProbe, NoServerOrOneNotYetReadyIsWaitedFor) {
  for (const char* m :
       {"connection to server at \"127.0.0.1\", port 1 failed: Connection refused\n\tIs the "
        "server running on that host and accepting TCP/IP connections?",
        "could not translate host name \"db.example\" to address: Name or service not known",
        "connection to server at \"127.0.0.1\", port 5432 failed: FATAL:  the database system is "
        "starting up",
        "connection to server at \"127.0.0.1\", port 5432 failed: FATAL:  sorry, too many clients "
        "already",
        "timeout expired"})
    EXPECT_EQ(ClassifyPostgresFailure(m).state, State::kUnreachable) << m;
}

TEST(PostgresProbe, NothingListeningIsUnreachable) {
  auto a = ProbePostgres("host=127.0.0.1 port=1 user=cbit dbname=cbit", std::chrono::seconds(2));
  EXPECT_EQ(a.state, State::kUnreachable) << a.detail;
  EXPECT_NE(a.detail.find("127.0.0.1"), std::string::npos) << a.detail;
}

TEST(PostgresProbe, DescribesTheServerWithoutThePassword) {
  const std::string d =
      DescribePostgres("host=db.example port=5433 dbname=cbit user=farm password=secret");
  EXPECT_EQ(d, "PostgreSQL at db.example:5433, database cbit, user farm");
}

}  // namespace
}  // namespace cbit::store
