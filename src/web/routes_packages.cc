// Packages and package instances.
#include "core/debian.h"
#include "core/wire.h"
#include "web/api.h"

namespace cbit::web {
namespace {

bool ParseFlag(const std::string& v) {
  if (v == "1" || v == "true" || v == "True") return true;
  if (v == "0" || v == "false" || v == "False" || v.empty()) return false;
  throw HttpError(400, "'" + v + "' is not 0 or 1");
}

// Package names and details, active jobs, cancel all of a package.
void RegisterPackageQueries(Router& r, Api& api) {
  r.Get("/package/names", [&api](const auto&, auto& res) {
    std::vector<Package> names;
    for (auto& n : api.store.PackageNames()) names.push_back({0, std::move(n), ""});
    SendJson(res, wire::EncodeList(names));
  });
  auto details = [&api](const Request& req, Response& res) {
    std::optional<std::string> version;
    if (req.matches.size() > 2) version = req.matches[2];
    SendJson(res, wire::EncodeList(api.store.PackageDetails(req.matches[1], version)));
  };
  r.Get(R"(/package/details/([^/]+))", details);
  r.Get(R"(/package/details/([^/]+)/([^/]+))", details);
  r.Get(R"(/package/(\d+)/active)", [&api](const auto& req, auto& res) {
    SendText(res, api.store.PackageActive(PathId(req)) ? "True" : "False");
  });
  r.Get(R"(/package/(\d+)/cancel)",
        [&api](const auto& req, auto& res) {
          int n = api.controller.CancelPackage(PathId(req));
          SendJson(res, "{\"cancelled\": " + std::to_string(n) + "}");
        },
        Need::Admin());
}

void RegisterPackageCollection(Router& r, Api& api) {
  RegisterCollection(
      r, {.base = "/package",
          .page_size = kLongPage,
          .list = [&api](const auto&,
                         store::Page p) { return wire::EncodeList(api.store.ListPackages(p)); },
          .count = [&api](const auto&) { return api.store.CountPackages(); },
          .get = [&api](Id id) { return wire::Encode(api.store.GetPackage(id)); },
          .create =
              [&api](const Form& f) {
                std::vector<std::string> missing;
                std::string name = f.Require("name", missing);
                std::string version = f.Require("version", missing);
                Form::Check(missing);
                if (!debian::IsPackageName(name))
                  throw HttpError(400, "name '" + name + "' is not a Debian package name");
                if (!debian::IsVersion(version))
                  throw HttpError(400, "version '" + version + "' is not a Debian version");
                return wire::Encode(api.store.CreatePackage(name, version));
              },
          .remove = [&api](Id id) { api.store.DeletePackage(id); }});
}

void RegisterInstanceRoutes(Router& r, Api& api) {
  r.Get(R"(/packageinstance/details/([^/]+))", [&api](const auto& req, auto& res) {
    SendJson(res, wire::EncodeList(api.store.InstancesOfPackage(req.matches[1])));
  });
  r.Get(R"(/packageinstance/(\d+)/togglemaster/([01]))",
        [&api](const auto& req, auto& res) {
          Id id = PathId(req);
          api.store.SetMaster(id, req.matches[2] == "1");
          SendJson(res, wire::Encode(api.store.GetInstance(id)));
        },
        Need::Admin());

  RegisterCollection(
      r, {.base = "/packageinstance",
          .page_size = kLongPage,
          .list = [&api](const auto&,
                         store::Page p) { return wire::EncodeList(api.store.ListInstances(p)); },
          .count = [&api](const auto&) { return api.store.CountInstances(); },
          .get = [&api](Id id) { return wire::Encode(api.store.GetInstance(id)); },
          .create =
              [&api](const Form& f) {
                std::vector<std::string> missing;
                Id package = f.RequireId("package_id", missing);
                Id arch = f.RequireId("arch_id", missing);
                Id suite = f.RequireId("suite_id", missing);
                Id dist = f.RequireId("dist_id", missing);
                Id format = f.RequireId("format_id", missing);
                Form::Check(missing);
                std::optional<Id> env;
                if (f.Has("build_env_id") && !f.Get("build_env_id").empty())
                  env = ParseFormId("build_env_id", f.Get("build_env_id"));
                bool master = ParseFlag(f.Get("master"));
                return wire::Encode(
                    api.store.CreateInstance(package, arch, env, suite, dist, format, master));
              },
          .remove = [&api](Id id) { api.store.DeleteInstance(id); }});
}

}  // namespace

void RegisterPackageRoutes(Router& r, Api& api) {
  // Specific routes first: the router tries patterns in registration order.
  RegisterPackageQueries(r, api);
  RegisterPackageCollection(r, api);
  RegisterInstanceRoutes(r, api);
}

}  // namespace cbit::web
