// What the PostgreSQL backend's files share.
#pragma once

#include <libpq-fe.h>

#include <memory>
#include <string>

#include "store/db.h"

namespace cbit::store::pg {

/// Opens a connection with the options' connect timeout, statement timeout
/// and TCP deadlines; throws DbError (kUnavailable) when it cannot.
PGconn* Connect(const PostgresOptions& o, const char* application_name);

/// Database::Listen for PostgreSQL (listener.cc).
std::unique_ptr<Subscription> Listen(const PostgresOptions& o, const std::string& channel,
                                     std::function<void(std::string_view)> on_message,
                                     std::function<void(bool)> on_listening);

}  // namespace cbit::store::pg
