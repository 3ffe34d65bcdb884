#include "store/postgres/postgres_probe.h"

#include <libpq-fe.h>

#include <algorithm>
#include <array>
#include <cstdint>

namespace cbit::store {

using peercheck::Answer;
using peercheck::State;

Answer ClassifyPostgresFailure(const std::string& message) {
  // A server that answered with these will take connections shortly.
  static constexpr std::array<const char*, 5> kTransient = {
      "starting up", "shutting down", "in recovery", "too many clients", "connection slots"};
  if (message.find("FATAL:") == std::string::npos) return {State::kUnreachable, message};
  for (const char* t : kTransient)
    if (message.find(t) != std::string::npos) return {State::kUnreachable, message};
  return {State::kRefused, message};
}

std::string DescribePostgres(const std::string& conninfo) {
  std::string host = "(default host)", port = "5432", dbname = "(default)", user = "(default)";
  if (PQconninfoOption* opts = PQconninfoParse(conninfo.c_str(), nullptr)) {
    for (PQconninfoOption* o = opts; o->keyword; ++o) {
      if (!o->val || !*o->val) continue;
      const std::string key = o->keyword;
      if (key == "host" || (key == "hostaddr" && host == "(default host)")) host = o->val;
      if (key == "port") port = o->val;
      if (key == "dbname") dbname = o->val;
      if (key == "user") user = o->val;
    }
    PQconninfoFree(opts);
  }
  return "PostgreSQL at " + host + ":" + port + ", database " + dbname + ", user " + user;
}

Answer ProbePostgres(const std::string& conninfo, std::chrono::seconds timeout) {
  const std::string seconds = std::to_string(std::max<std::int64_t>(timeout.count(), 1));
  const char* keys[] = {"dbname", "connect_timeout", nullptr};
  const char* values[] = {conninfo.c_str(), seconds.c_str(), nullptr};
  PGconn* conn = PQconnectdbParams(keys, values, /*expand_dbname=*/1);
  Answer a{State::kReady, ""};
  if (!conn) {
    a = {State::kUnreachable, "out of memory"};
  } else if (PQstatus(conn) != CONNECTION_OK) {
    std::string message = PQerrorMessage(conn);
    while (!message.empty() && (message.back() == '\n' || message.back() == ' '))
      message.pop_back();
    a = ClassifyPostgresFailure(message);
  }
  PQfinish(conn);
  return a;
}

}  // namespace cbit::store
