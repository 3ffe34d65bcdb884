// GET /metrics and the health checks (docs/protocol.md, "Metrics and
// health"). The checks are public: a load balancer or systemd asks them
// without credentials, and they tell only whether the controller and its
// database and broker answer. /metrics follows web.auth_reads like every
// other read.
#include "core/json_writer.h"
#include "web/api.h"
#include "web/farm_metrics.h"

namespace cbit::web {
namespace {

// One round trip on a pooled connection; a broken one is not pooled again.
void PingDatabase(store::Store& store) {
  auto lease = store.db().Acquire();
  try {
    lease->Exec("SELECT 1");
  } catch (...) {
    lease.Discard();
    throw;
  }
}

// "ok", or what went wrong.
template <class F>
std::string Check(F&& f) {
  try {
    f();
    return "ok";
  } catch (const std::exception& e) {
    std::string what = e.what();
    return what.empty() ? "unreachable" : what;
  }
}

void Ready(Api& api, Response& res) {
  const std::string db = Check([&] { PingDatabase(api.store); });
  const std::string broker = Check([&] { api.publisher.Ping(); });
  std::string problem;
  if (db != "ok") problem = "database unreachable: " + db;
  if (broker != "ok") problem += (problem.empty() ? "" : "; ") + ("broker unreachable: " + broker);
  JsonWriter w;
  w.BeginObject();
  w.Key("status");
  w.String(problem.empty() ? "ready" : "not ready");
  if (!problem.empty()) {
    w.Key("error");
    w.String(problem);
  }
  w.Key("database");
  w.String(db);
  w.Key("broker");
  w.String(broker);
  w.EndObject();
  res.status = problem.empty() ? 200 : 503;
  res.set_header("Cache-Control", "no-store");
  SendJson(res, w.Take());
}

}  // namespace

void RegisterHealthRoutes(Router& r, Api& api) {
  r.Get("/metrics", [&api](const Request&, Response& res) {
    if (!api.metrics) throw HttpError(404, "metrics are not collected");
    res.set_header("Cache-Control", "no-store");
    res.set_content(api.metrics->Render(), "text/plain; version=0.0.4; charset=utf-8");
  });
  r.Get(
      "/health/live",
      [](const Request&, Response& res) {
        res.set_header("Cache-Control", "no-store");
        SendJson(res, R"({"status": "live"})");
      },
      Need::Public());
  r.Get(
      "/health/ready", [&api](const Request&, Response& res) { Ready(api, res); }, Need::Public());
}

}  // namespace cbit::web
