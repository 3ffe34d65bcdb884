// Jobs: lists with filters, status history, status reports from clients,
// submission (vcshook), cancel and retry.
#include "core/debian.h"
#include "core/utf8.h"
#include "core/wire.h"
#include "store/provenance.h"
#include "util/clock.h"
#include "web/api.h"
#include "web/farm_metrics.h"
#include "web/job_access.h"
#include "web/job_rows.h"

namespace cbit::web {
namespace {

// GET /job?arch=i386&status=Waiting… ; a parameter may use pyBit's name or
// cbit's (docs/protocol.md).
store::JobFilter FilterOf(const Request& req) {
  auto param = [&](std::initializer_list<const char*> keys) {
    for (const char* k : keys)
      if (req.has_param(k)) return req.get_param_value(k);
    return std::string();
  };
  store::JobFilter f;
  f.arch = param({"arch"});
  f.suite = param({"suite"});
  f.dist = param({"dist", "distribution"});
  f.format = param({"format"});
  f.status = param({"status"});
  f.package = param({"package"});
  f.buildenv = param({"buildenv", "env", "build_env"});
  f.client = param({"client", "buildclient", "buildd"});
  f.version = param({"version", "package_version"});
  return f;
}

// Every submission's answer is written here, which also counts it.
std::string DispatchJson(Api& api, const controller::Dispatch& d) {
  if (api.metrics) api.metrics->Submitted(d);
  JsonWriter w;
  w.BeginObject();
  auto ids = [&](const char* key, const std::vector<Id>& v) {
    w.Key(key);
    w.BeginArray();
    for (Id id : v) w.Int(id);
    w.EndArray();
  };
  ids("jobs", d.jobs);
  ids("cancelled", d.cancelled);
  ids("cancel_requested", d.cancel_requested);
  w.Key("dispatched");
  w.Bool(d.dispatched);
  w.EndObject();
  return w.Take();
}

const char* OutcomeName(controller::CancelOutcome o) {
  switch (o) {
    case controller::CancelOutcome::kCancelled:
      return "Cancelled";
    case controller::CancelOutcome::kRequested:
      return "CancelRequested";
    case controller::CancelOutcome::kAlreadyFinished:
      return "AlreadyFinished";
  }
  return "";
}

// method apt needs no uri (controller::ValidateTransport).
Transport TransportOf(const Form& f, std::vector<std::string>& missing) {
  Transport t;
  t.method = f.Require("method", missing);
  t.uri = t.method == "apt" ? f.Get("uri") : f.Require("uri", missing);
  t.vcs_id = f.Get("vcs_id");
  return t;
}

controller::Submission SubmissionOf(const Form& f) {
  std::vector<std::string> missing;
  controller::Submission s;
  s.package = f.Require("package", missing);
  s.version = f.Require("package_version", missing);
  s.suite = f.Require("suite", missing);
  s.dist = f.Require("distribution", missing);
  s.arch_list = f.Require("architecture_list", missing);
  s.format = f.Require("format", missing);
  s.transport = TransportOf(f, missing);
  // pyBit's svn hook sends the package directory separately from the
  // repository root; the client checks out uri/directory.
  std::string dir = f.Get("directory");
  if (!dir.empty() && !s.transport.uri.empty()) {
    if (dir.find("..") != std::string::npos) throw HttpError(400, "directory must not hold '..'");
    s.transport.uri += (s.transport.uri.back() == '/' ? "" : "/") + dir;
  }
  Form::Check(missing);
  return s;
}

// A whole job list, read and sent in batches (keyset by id): 100,000 jobs
// are ~60 MB of JSON, which the controller must not hold at once.
constexpr std::int64_t kJobBatch = 500;

void StreamJobs(Api& api, store::JobFilter f, Response& res) {
  struct State {
    store::JobFilter filter;
    bool started = false, ended = false;
  };
  auto st = std::make_shared<State>(State{std::move(f)});
  res.set_producer("application/json", [&api, st](std::string& chunk) {
    if (st->ended) return false;
    std::vector<Job> jobs = api.store.ListJobs(st->filter, {1, kJobBatch});
    std::string batch = wire::EncodeList(jobs);  // "[a, b]"
    std::string_view inner(batch);
    inner = inner.substr(1, inner.size() - 2);
    chunk = st->started ? (inner.empty() ? "" : ", ") : "[";
    chunk += inner;
    st->started = true;
    if (static_cast<std::int64_t>(jobs.size()) < kJobBatch) {
      chunk += "]";
      st->ended = true;
    } else {
      st->filter.after_id = jobs.back().id;
    }
    return true;
  });
}

// The job lists beside the collection's: unfinished jobs, jobs by status.
void RegisterJobLists(Router& r, Api& api) {
  auto job_list = [&api](const store::JobFilter& f) {
    return [&api, f](const Request& req, Response& res) {
      store::JobFilter q = FilterOf(req);
      if (!f.status.empty()) q.status = f.status;
      q.unfinished = f.unfinished;
      if (req.matches.size() > 1) q.status = req.matches[1];
      StreamJobs(api, std::move(q), res);
    };
  };
  r.Get("/job/status", job_list({.unfinished = true}));
  r.Get(R"(/job/status/([A-Za-z]+))", job_list({}));
  r.Get("/jobs", job_list({}));
  // Before the collection's whole list; with `limit`, a newest-first page.
  r.Get("/job", [&api, whole = job_list({})](const Request& req, Response& res) {
    if (!WantsJobPage(req)) return whole(req, res);
    const store::JobPageQuery q = ReadJobPage(req, FilterOf(req));
    const bool flat = WantsRows(req);
    std::vector<store::JobRow> rows = store::ListJobPage(api.store, q);
    if (flat) return SendJson(res, JobRowsJson(rows));
    std::vector<Job> jobs;
    for (auto& r : rows) jobs.push_back(std::move(r.job));
    SendJson(res, wire::EncodeList(jobs));
  });
}

// Submissions, cancel and retry: what the job logic does.
void RegisterJobActions(Router& r, Api& api) {
  r.PostPut(
      "/job/vcshook",
      [&api](const auto& req, auto& res) {
        SendJson(res, DispatchJson(api, api.controller.Submit(SubmissionOf(Form(req)))));
      },
      Need::Roles({Role::kSubmitter}));
  r.Get(
      "/job/cancelall",
      [&api](const auto&, auto& res) {
        SendJson(res, "{\"cancelled\": " + std::to_string(api.controller.CancelAll()) + "}");
      },
      Need::Admin());
  r.Delete("/job", [&api](const auto&, auto& res) {
    SendJson(res, "{\"cancelled\": " + std::to_string(api.controller.CancelAll()) + "}");
  });
  r.Get(R"(/job/(\d+)/status)", [&api](const auto& req, auto& res) {
    SendJson(res, wire::EncodeList(api.store.JobHistoryOf(PathId(req))));
  });
  r.Get(R"(/job/(\d+)/cancel)",
        [&api](const auto& req, auto& res) {
          auto outcome = api.controller.Cancel(PathId(req));
          if (outcome == controller::CancelOutcome::kAlreadyFinished)
            throw HttpError(409, "job " + req.matches[1].str() + " has already finished");
          SendJson(res, std::string("{\"result\": \"") + OutcomeName(outcome) + "\"}");
        },
        Need::Admin());
  r.Get(R"(/job/(\d+)/retry)",
        [&api](const auto& req, auto& res) {
          SendJson(res, DispatchJson(api, api.controller.Retry(PathId(req))));
        },
        Need::Admin());
}

// The optional client name of a form field; malformed: 400.
std::optional<std::string> ClientField(const Form& f, const char* key) {
  if (!f.Has(key) || f.Get(key).empty()) return std::nullopt;
  std::string name = f.Get(key);
  if (!debian::IsToken(name))
    throw HttpError(400, std::string(key) + " '" + name + "' is malformed");
  return name;
}

// The optional reason of a status report; too long or holding control
// characters: 400.
std::optional<std::string> ReasonField(const Form& f) {
  if (!f.Has("reason") || f.Get("reason").empty()) return std::nullopt;
  std::string reason = f.Get("reason");
  if (reason.size() > status::kMaxReasonBytes) {
    throw HttpError(400,
                    "reason is longer than " + std::to_string(status::kMaxReasonBytes) + " bytes");
  }
  for (unsigned char c : reason) {
    if (c < 0x20 || c == 0x7f) throw HttpError(400, "reason holds a control character");
  }
  return reason;
}

// A .buildinfo lists every package installed in the build: tens of KiB.
constexpr std::size_t kMaxBuildinfoBytes = std::size_t{1} << 20;
constexpr std::size_t kMaxProvenanceField = 200;

// One of the short provenance fields: printable ASCII, bounded.
void ShortField(const Form& f, const char* key, std::string& out) {
  if (!f.Has(key)) return;
  out = f.Get(key);
  if (out.size() > kMaxProvenanceField)
    throw HttpError(400, std::string(key) + " is longer than " +
                             std::to_string(kMaxProvenanceField) + " bytes");
  for (unsigned char c : out) {
    if (c < 0x20 || c >= 0x7f) throw HttpError(400, std::string(key) + " is not printable ASCII");
  }
}

// The provenance a client may send with the report that ends an attempt
// (docs/protocol.md, "Provenance"); nullopt when it sent none (pyBit's
// clients).
std::optional<store::Provenance> ProvenanceFields(const Form& f) {
  store::Provenance p;
  ShortField(f, "client_version", p.client_version);
  ShortField(f, "builder", p.builder);
  ShortField(f, "root_digest", p.root_digest);
  ShortField(f, "root_created", p.root_created);
  if (f.Has("buildinfo")) {
    std::string text = f.Get("buildinfo");
    if (text.size() > kMaxBuildinfoBytes)
      throw HttpError(400,
                      "buildinfo is longer than " + std::to_string(kMaxBuildinfoBytes) + " bytes");
    if (!utf8::IsValid(text)) throw HttpError(400, "buildinfo is not UTF-8 text");
    p.buildinfo = std::move(text);
  }
  bool any = p.buildinfo || !p.client_version.empty() || !p.builder.empty() ||
             !p.root_digest.empty() || !p.root_created.empty();
  if (!any) return std::nullopt;
  return p;
}

// A client reports progress: form status=Building&client=build_client_x
// (&takeover=<holder> to take over a job from a silent client). The job
// logic decides it against the life cycle (controller/transitions.h), after
// the caller's role allows it (web/job_access.h).
void RegisterStatusReport(Router& r, Api& api) {
  auto need = Need::Roles({Role::kBuilder, Role::kWatcher});
  r.PostPutAs(R"(/job/(\d+))", need, [&api](const auto& req, auto& res, const Principal& who) {
    Form f(req);
    std::vector<std::string> missing;
    controller::StatusReport report;
    report.status = f.Require("status", missing);
    Form::Check(missing);
    if (!api.store.FindLookup(LookupKind::kStatus, report.status))
      throw HttpError(400,
                      "status '" + report.status + "' is not a status (GET /status lists them)");
    report.client = ClientField(f, "client");
    report.takeover = ClientField(f, "takeover");
    report.reason = ReasonField(f);
    std::optional<store::Provenance> provenance = ProvenanceFields(f);
    if (provenance && report.status == status::kBuilding)
      throw HttpError(400,
                      "provenance (buildinfo, builder, …) comes with the report that ends an "
                      "attempt, not with Building");
    Id id = PathId(req);
    const Job before = api.store.GetJob(id);
    report.client = CheckReport(who, before, report.status, report.client, report.takeover);
    // A builder reports as the client its credentials are bound to.
    if (who.role == Role::kBuilder) report.caller = who.client;
    const Job after = api.controller.Report(id, report);
    if (api.metrics && after.status != before.status)
      api.metrics->Moved(id, before.status, after.status);
    // Kept once the report is taken: a refused one (409) keeps nothing.
    if (provenance) {
      provenance->job = id;
      provenance->client = report.caller.value_or(
          report.client.value_or(before.buildclient ? before.buildclient->name : ""));
      provenance->recorded = NowMicros();
      store::RecordProvenance(api.store, *provenance);
    }
    SendJson(res, wire::Encode(after));
  });
}

void RegisterJobCollection(Router& r, Api& api) {
  RegisterCollection(
      r, {.base = "/job",
          .page_size = kLongPage,
          .list =
              [&api](const Request& req, store::Page p) {
                return wire::EncodeList(api.store.ListJobs(FilterOf(req), p));
              },
          .count = [&api](const Request& req) { return api.store.CountJobs(FilterOf(req)); },
          .get = [&api](Id id) { return wire::Encode(api.store.GetJob(id)); },
          .peek = [&api](Id id) -> std::optional<std::string> {
            auto job = api.store.CachedJob(id);
            if (!job) return std::nullopt;
            return wire::Encode(*job);
          },
          .create =
              [&api](const Form& f) {
                std::vector<std::string> missing;
                Id id = f.RequireId("packageinstance_id", missing);
                Transport t = TransportOf(f, missing);
                Form::Check(missing);
                return DispatchJson(api, api.controller.SubmitForInstance(id, t));
              },
          .remove = [&api](Id id) { api.store.DeleteJob(id); },
          .create_need = Need::Roles({Role::kSubmitter})});
}

}  // namespace

void RegisterJobRoutes(Router& r, Api& api) {
  // Specific routes first: the router tries patterns in registration order.
  RegisterJobLists(r, api);
  RegisterJobActions(r, api);
  RegisterStatusReport(r, api);
  RegisterJobCollection(r, api);
}

}  // namespace cbit::web
