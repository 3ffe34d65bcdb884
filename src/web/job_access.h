// What a builder and a watcher may do to a job (docs/protocol.md, "Roles"):
// a builder claims Waiting/Blocked jobs of its queues under its own client
// name and reports and logs on the jobs it holds; a watcher turns Done jobs
// Uploaded or Failed. Other roles that reach these routes (admin) may do
// anything. Refusals are HttpError 403 (the role may not), or 409 when the
// job is held by another client (naming it).
#pragma once

#include <optional>
#include <string>

#include "core/model.h"
#include "web/auth.h"

namespace cbit::web {

/// Checks a status report (`client`: the form's client field, if any;
/// `takeover`: the silent holder a claim replaces, if any); returns the
/// client name to record with it.
std::optional<std::string> CheckReport(const Principal& who, const Job& job,
                                       const std::string& status,
                                       const std::optional<std::string>& client,
                                       const std::optional<std::string>& takeover = {});

/// Checks an append to a job's build log.
void CheckLogAppend(const Principal& who, const Job& job);

}  // namespace cbit::web
