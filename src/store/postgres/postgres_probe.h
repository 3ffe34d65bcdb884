// One start-up try of PostgreSQL (peercheck): a connection, so a wrong
// password, role or database is told from a server that is down.
#pragma once

#include <chrono>
#include <string>

#include "peercheck/await.h"

namespace cbit::store {

/// Connects with `conninfo` within `timeout`. A server that answers with a
/// fatal error other than starting up, shutting down or being full (a
/// password, a role, a database, pg_hba.conf) is kRefused.
peercheck::Answer ProbePostgres(const std::string& conninfo, std::chrono::seconds timeout);

/// "PostgreSQL at host:port, database D, user U" from `conninfo` (never
/// its password); libpq's defaults where it says nothing.
std::string DescribePostgres(const std::string& conninfo);

/// How ProbePostgres reads libpq's message of a failed connection.
peercheck::Answer ClassifyPostgresFailure(const std::string& message);

}  // namespace cbit::store
