// GET /job/summary: the dashboard overview's counts (store/summary.h).
#include "core/json_writer.h"
#include "store/summary.h"
#include "util/clock.h"
#include "web/dashboard_routes.h"

namespace cbit::web {
namespace {

constexpr std::int64_t kDayUs = std::int64_t{86400} * 1000000;

std::string SummaryJson(const std::vector<store::TargetCount>& counts, std::int64_t since) {
  JsonWriter w;
  w.BeginObject();
  w.Key("failed_since_us");
  w.Int(since);
  w.Key("targets");
  w.BeginArray();
  for (const auto& c : counts) {
    w.BeginObject();
    for (auto [k, v] : {std::pair{"dist", &c.dist},
                        {"arch", &c.arch},
                        {"suite", &c.suite},
                        {"format", &c.format},
                        {"status", &c.status}}) {
      w.Key(k);
      w.String(*v);
    }
    w.Key("jobs");
    w.Int(c.jobs);
    w.EndObject();
  }
  w.EndArray();
  w.EndObject();
  return w.Take();
}

}  // namespace

void RegisterSummaryRoutes(Router& r, Api& api) {
  // "Failed today": since midnight UTC.
  r.Get("/job/summary", [&api](const Request&, Response& res) {
    const std::int64_t since = NowMicros() / kDayUs * kDayUs;
    SendJson(res, SummaryJson(store::CountActiveJobs(api.store.db(), since), since));
  });
}

}  // namespace cbit::web
