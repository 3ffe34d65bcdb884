// The routes the dashboard adds beside pyBit's API: its pages, the sign-in
// sessions and the overview's counts.
#pragma once

#include "web/api.h"

namespace cbit::web {

/// GET / and GET /ui/<file>: the dashboard (routes_pages.cc).
void RegisterPageRoutes(Router& r);
/// GET /job/summary (routes_summary.cc).
void RegisterSummaryRoutes(Router& r, Api& api);
/// POST /session, GET /session, POST /session/delete: sign-in with a
/// web.users password through `auth` (its limits), web/session.h.
void RegisterSessionRoutes(Router& r, Api& api, Authenticator& auth);

}  // namespace cbit::web
