// Build logs: a client appends its job's log in chunks at byte offsets; anyone
// reads it from an offset and follows it while the job builds
// (docs/protocol.md, "Build logs"). And each attempt's provenance
// (docs/protocol.md, "Provenance").

#include <nlohmann/json.hpp>

#include "core/utf8.h"
#include "store/provenance.h"
#include "util/clock.h"
#include "web/api.h"
#include "web/job_access.h"

namespace cbit::web {
namespace {

// A non-negative integer query parameter; nullopt when absent.
std::optional<std::int64_t> Param(const Request& req, const char* name) {
  if (!req.has_param(name)) return std::nullopt;
  return ParseFormInt(name, req.get_param_value(name));
}

std::optional<int> AttemptParam(const Request& req) {
  auto a = Param(req, "attempt");
  if (!a) return std::nullopt;
  if (*a < 1 || *a > 1000000) throw HttpError(400, "attempt must be 1 or more");
  return static_cast<int>(*a);
}

std::string ProvenanceJson(const store::Provenance& p) {
  nlohmann::json j = {{"job", p.job},
                      {"attempt", p.attempt},
                      {"client", p.client},
                      {"client_version", p.client_version},
                      {"builder", p.builder},
                      {"root", {{"digest", p.root_digest}, {"created", p.root_created}}},
                      {"recorded_us", p.recorded}};
  j["buildinfo"] = p.buildinfo ? nlohmann::json(*p.buildinfo) : nlohmann::json(nullptr);
  return j.dump();
}

}  // namespace

void RegisterLogRoutes(Router& r, Api& api) {
  auto writers = Need::Roles({Role::kBuilder, Role::kWatcher});
  r.PostAs(R"(/job/(\d+)/log)", writers,
           [&api](const Request& req, Response& res, const Principal& who) {
             Id id = PathId(req);
             CheckLogAppend(who, api.store.GetJob(id));
             auto offset = Param(req, "offset");
             if (!offset) throw HttpError(400, "missing field: offset");
             if (!utf8::IsValid(req.body)) throw HttpError(400, "the log chunk is not UTF-8 text");
             store::LogAppend a = api.store.AppendLog(id, AttemptParam(req), *offset, req.body);
             // The holder's appends count as hearing from it (its lease).
             if (who.role == Role::kBuilder) api.store.Heard(who.client, id, NowMicros());
             SendJson(res, "{\"length\": " + std::to_string(a.length) +
                               ", \"attempt\": " + std::to_string(a.attempt) + "}");
           });
  r.Get(R"(/job/(\d+)/log)", [&api](const Request& req, Response& res) {
    Id id = PathId(req);
    store::LogRead log = api.store.ReadLog(id, AttemptParam(req), Param(req, "offset").value_or(0));
    res.set_header("X-Log-Length", std::to_string(log.length));
    res.set_header("X-Log-Attempt", std::to_string(log.attempt));
    res.set_header("X-Job-Finished", log.finished ? "true" : "false");
    res.set_header("Access-Control-Expose-Headers", "X-Log-Length, X-Log-Attempt, X-Job-Finished");
    res.set_content(log.text, "text/plain; charset=utf-8");
  });
  r.Get(R"(/job/(\d+)/buildinfo)", [&api](const Request& req, Response& res) {
    SendJson(res, ProvenanceJson(store::GetProvenance(api.store, PathId(req), AttemptParam(req))));
  });
}

}  // namespace cbit::web
