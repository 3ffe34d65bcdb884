// Lookup tables, the suite/arch map, build-env mappings, the blacklist and
// build clients.
#include <functional>

#include "controller/blacklist.h"
#include "core/debian.h"
#include "core/lookup_kind.h"
#include "core/wire.h"
#include "web/api.h"

namespace cbit::web {
namespace {

// Every change to a lookup table or mapping drops the controller's cached
// catalog, so the next submission sees it.
std::function<void()> OnCatalogChange(Api& api) {
  return [&api] { api.controller.CatalogChanged(); };
}

// A row may be named by id (pyBit's forms: suite_id) or by name (suite).
Id IdOrName(Api& api, const Form& f, LookupKind kind, const std::string& field,
            std::vector<std::string>& missing) {
  if (f.Has(field + "_id")) return ParseFormId(field + "_id", f.Get(field + "_id"));
  if (f.Has(field)) {
    auto l = api.store.FindLookup(kind, f.Get(field));
    if (!l) throw HttpError(400, field + " '" + f.Get(field) + "' is not known");
    return l->id;
  }
  missing.push_back(field + "_id");
  return 0;
}

bool ValidName(LookupKind kind, const std::string& name) {
  return InfoOf(kind).arch_names ? debian::IsArch(name) : debian::IsToken(name);
}

void RegisterLookup(Router& r, Api& api, LookupKind kind) {
  RegisterCollection(
      r, {.base = std::string(InfoOf(kind).route),
          .page_size = InfoOf(kind).long_page ? kLongPage : kLookupPage,
          .list =
              [&api, kind](const auto&, store::Page p) {
                return wire::EncodeList(api.store.ListLookups(kind, p), kind);
              },
          .count = [&api, kind](const auto&) { return api.store.CountLookups(kind); },
          .get = [&api, kind](Id id) { return wire::Encode(api.store.GetLookup(kind, id), kind); },
          .create =
              [&api, kind](const Form& f) {
                std::vector<std::string> missing;
                std::string name = f.Require("name", missing);
                Form::Check(missing);
                if (!ValidName(kind, name))
                  throw HttpError(400, "name '" + name + "' is malformed");
                return wire::Encode(api.store.CreateLookup(kind, name), kind);
              },
          .remove = [&api, kind](Id id) { api.store.DeleteLookup(kind, id); },
          .changed = OnCatalogChange(api)});
}

// A build client's liveness and jobs. Active: heard from within the lease
// (a report, log append, renewal or heartbeat), whatever queues it left on
// the broker.
void RegisterBuilddRoutes(Router& r, Api& api) {
  r.Get(R"(/buildd/([^/]+)/status)", [&api](const auto& req, auto& res) {
    std::string name = req.matches[1];
    if (!debian::IsToken(name)) throw HttpError(404, "'" + name + "' is not a client name");
    res.set_content(ClientActive(api, name) ? "Active" : "Not Active", "text/html; charset=UTF-8");
  });
  r.Get(R"(/buildd/(\d+)/jobs)", [&api](const auto& req, auto& res) {
    Lookup client = api.store.GetLookup(LookupKind::kBuildClient, PathId(req));
    store::JobFilter f;
    f.client = client.name;
    SendJson(res, wire::EncodeList(api.store.ListJobs(f, {})));
  });
}

// A suite arch's suite and arch are what it is: only its weight changes.
std::string UpdateSuiteArch(Api& api, Id id, const Form& f) {
  for (const char* fixed : {"suite", "suite_id", "arch", "arch_id"})
    if (f.Has(fixed))
      throw HttpError(
          400, std::string(fixed) + " of a suite arch cannot change: add another suite arch");
  std::vector<std::string> missing;
  const std::string weight = f.Require("master_weight", missing);
  Form::Check(missing);
  return wire::Encode(api.store.SetSuiteArchWeight(id, ParseFormInt("master_weight", weight)));
}

void RegisterSuiteArches(Router& r, Api& api) {
  RegisterCollection(
      r, {.base = "/suitearch",
          .list = [&api](const auto&,
                         store::Page p) { return wire::EncodeList(api.store.ListSuiteArches(p)); },
          .count = [&api](const auto&) { return api.store.CountSuiteArches(); },
          .get = [&api](Id id) { return wire::Encode(api.store.GetSuiteArch(id)); },
          .create =
              [&api](const Form& f) {
                std::vector<std::string> missing;
                Id suite = IdOrName(api, f, LookupKind::kSuite, "suite", missing);
                Id arch = IdOrName(api, f, LookupKind::kArch, "arch", missing);
                Form::Check(missing);
                std::int64_t weight = f.Has("master_weight")
                                          ? ParseFormInt("master_weight", f.Get("master_weight"))
                                          : 0;
                return wire::Encode(api.store.CreateSuiteArch(suite, arch, weight));
              },
          .remove = [&api](Id id) { api.store.DeleteSuiteArch(id); },
          .update = [&api](Id id, const Form& f) { return UpdateSuiteArch(api, id, f); },
          .changed = OnCatalogChange(api)});
}

// Either side of the mapping may change; a field not given keeps its value.
std::string UpdateEnvSuiteArch(Api& api, Id id, const Form& f) {
  const BuildEnvSuiteArch row = api.store.GetEnvSuiteArch(id);
  Id env = row.build_env.id;
  std::vector<std::string> unused;
  if (f.Has("buildenv") || f.Has("buildenv_id"))
    env = IdOrName(api, f, LookupKind::kBuildEnv, "buildenv", unused);
  const Id sa =
      f.Has("suitearch_id") ? ParseFormId("suitearch_id", f.Get("suitearch_id")) : row.suitearch.id;
  if (!f.Has("buildenv") && !f.Has("buildenv_id") && !f.Has("suitearch_id"))
    throw HttpError(400, "nothing to change: give buildenv, buildenv_id or suitearch_id");
  return wire::Encode(api.store.SetEnvSuiteArch(id, env, sa));
}

void RegisterEnvSuiteArches(Router& r, Api& api) {
  RegisterCollection(
      r,
      {.base = "/buildenv_suitearch",
       .list = [&api](const auto&,
                      store::Page p) { return wire::EncodeList(api.store.ListEnvSuiteArches(p)); },
       .count = [&api](const auto&) { return api.store.CountEnvSuiteArches(); },
       .get = [&api](Id id) { return wire::Encode(api.store.GetEnvSuiteArch(id)); },
       .create =
           [&api](const Form& f) {
             std::vector<std::string> missing;
             Id env = IdOrName(api, f, LookupKind::kBuildEnv, "buildenv", missing);
             Id sa = 0;
             if (f.Has("suitearch_id")) {
               sa = ParseFormId("suitearch_id", f.Get("suitearch_id"));
             } else {
               missing.push_back("suitearch_id");
             }
             Form::Check(missing);
             return wire::Encode(api.store.CreateEnvSuiteArch(env, sa));
           },
       .remove = [&api](Id id) { api.store.DeleteEnvSuiteArch(id); },
       .update = [&api](Id id, const Form& f) { return UpdateEnvSuiteArch(api, id, f); },
       .changed = OnCatalogChange(api)});
}

// A rule's field or regex, or both; the rule as changed must hold.
std::string UpdateBlacklist(Api& api, Id id, const Form& f) {
  if (!f.Has("field") && !f.Has("regex"))
    throw HttpError(400, "nothing to change: give field, regex or both");
  Blacklist rule = api.store.GetBlacklist(id);
  if (f.Has("field")) rule.field = f.Get("field");
  if (f.Has("regex")) rule.regex = f.Get("regex");
  if (auto why = controller::BlacklistMatcher::Validate(rule.field, rule.regex))
    throw HttpError(400, *why);
  return wire::Encode(api.store.SetBlacklist(id, rule.field, rule.regex));
}

void RegisterBlacklist(Router& r, Api& api) {
  RegisterCollection(
      r, {.base = "/blacklist",
          .list = [&api](const auto&,
                         store::Page p) { return wire::EncodeList(api.store.ListBlacklist(p)); },
          .count = [&api](const auto&) { return api.store.CountBlacklist(); },
          .get = [&api](Id id) { return wire::Encode(api.store.GetBlacklist(id)); },
          .create =
              [&api](const Form& f) {
                std::vector<std::string> missing;
                std::string field = f.Require("field", missing);
                std::string regex = f.Require("regex", missing);
                Form::Check(missing);
                if (auto why = controller::BlacklistMatcher::Validate(field, regex))
                  throw HttpError(400, *why);
                return wire::Encode(api.store.CreateBlacklist(field, regex));
              },
          .remove = [&api](Id id) { api.store.DeleteBlacklist(id); },
          .update = [&api](Id id, const Form& f) { return UpdateBlacklist(api, id, f); },
          .changed = OnCatalogChange(api)});
}

}  // namespace

void RegisterLookupRoutes(Router& r, Api& api) {
  // Specific routes first: the router tries patterns in registration order.
  RegisterBuilddRoutes(r, api);
  for (const LookupKindInfo& info : kLookupKinds) RegisterLookup(r, api, info.kind);
  RegisterSuiteArches(r, api);
  RegisterEnvSuiteArches(r, api);
  RegisterBlacklist(r, api);
}

}  // namespace cbit::web
