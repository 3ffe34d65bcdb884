// Leases (docs/protocol.md, "Leases"): a client holding a job renews its
// lease on it, every client says it is alive while idle, and anyone reads
// when a job's holder and each client were last heard from.
#include "core/debian.h"
#include "core/json_writer.h"
#include "core/wire.h"
#include "util/clock.h"
#include "web/api.h"

namespace cbit::web {
namespace {

void OptTime(JsonWriter& w, const char* key, std::optional<std::int64_t> us) {
  w.Key(key);
  if (us) {
    w.String(wire::FormatTime(*us));
  } else {
    w.Null();
  }
}

std::string LeaseJson(const store::JobLease& l, const controller::LeasePolicy& p) {
  const bool building = l.status == status::kBuilding;
  JsonWriter w;
  w.BeginObject();
  w.Key("job");
  w.Int(l.job_id);
  w.Key("status");
  w.String(l.status);
  w.Key("client");
  if (l.client) {
    w.String(*l.client);
  } else {
    w.Null();
  }
  w.Key("attempt");
  w.Int(l.attempts);
  OptTime(w, "last_heard", l.last_heard_us ? std::optional(l.last_heard_us) : std::nullopt);
  OptTime(w, "lease_expires",
          building ? std::optional(l.last_heard_us + p.lease_us) : std::nullopt);
  w.Key("lease_seconds");
  w.Int(p.lease_us / 1000000);
  w.EndObject();
  return w.Take();
}

bool Active(const store::ClientHeard& c, const controller::LeasePolicy& p) {
  return c.last_heard_us && NowMicros() - *c.last_heard_us <= p.lease_us;
}

void WriteClient(JsonWriter& w, const store::ClientHeard& c, const controller::LeasePolicy& p) {
  w.BeginObject();
  w.Key("id");
  w.Int(c.id);
  w.Key("name");
  w.String(c.name);
  OptTime(w, "last_heard", c.last_heard_us);
  w.Key("active");
  w.Bool(Active(c, p));
  w.EndObject();
}

std::string ClientName(const Request& req) {
  std::string name = req.matches[1];
  if (!debian::IsToken(name)) throw HttpError(404, "'" + name + "' is not a client name");
  return name;
}

// Who renews: a builder for itself (a `client` field must name it), an
// admin for the client it names.
std::string Renewer(const Principal& who, const Form& f) {
  std::string named = f.Get("client");
  if (who.role == Role::kBuilder) {
    if (!named.empty() && named != who.client)
      throw HttpError(403, "client " + who.client + " may not renew as client " + named);
    return who.client;
  }
  if (named.empty()) throw HttpError(400, "client is missing");
  if (!debian::IsToken(named)) throw HttpError(400, "client '" + named + "' is malformed");
  return named;
}

void RegisterJobLeases(Router& r, Api& api) {
  r.Get(R"(/job/(\d+)/lease)", [&api](const Request& req, Response& res) {
    SendJson(res, LeaseJson(api.store.LeaseOf(PathId(req)), api.controller.lease_policy()));
  });
  r.PostPutAs(R"(/job/(\d+)/lease)", Need::Roles({Role::kBuilder}),
              [&api](const Request& req, Response& res, const Principal& who) {
                std::string client = Renewer(who, Form(req));
                store::JobLease l = api.controller.RenewLease(PathId(req), client);
                SendJson(res, LeaseJson(l, api.controller.lease_policy()));
              });
}

void RegisterClientHeartbeats(Router& r, Api& api) {
  r.Get("/buildd/heartbeats", [&api](const Request&, Response& res) {
    JsonWriter w;
    w.BeginArray();
    for (const auto& c : api.store.ClientsHeard()) WriteClient(w, c, api.controller.lease_policy());
    w.EndArray();
    SendJson(res, w.Take());
  });
  r.Get(R"(/buildd/([^/]+)/heartbeat)", [&api](const Request& req, Response& res) {
    std::string name = ClientName(req);
    auto c = api.store.ClientHeardOf(name);
    if (!c) throw HttpError(404, "no build client named " + name);
    JsonWriter w;
    WriteClient(w, *c, api.controller.lease_policy());
    SendJson(res, w.Take());
  });
  r.PostPutAs(R"(/buildd/([^/]+)/heartbeat)", Need::Roles({Role::kBuilder}),
              [&api](const Request& req, Response& res, const Principal& who) {
                std::string name = req.matches[1];
                if (!debian::IsToken(name))
                  throw HttpError(400, "client '" + name + "' is malformed");
                if (who.role == Role::kBuilder && who.client != name)
                  throw HttpError(
                      403, "client " + who.client + " may not send " + name + "'s heartbeat");
                api.store.Heard(name, std::nullopt, NowMicros());
                JsonWriter w;
                WriteClient(w, *api.store.ClientHeardOf(name), api.controller.lease_policy());
                SendJson(res, w.Take());
              });
}

}  // namespace

void RegisterLeaseRoutes(Router& r, Api& api) {
  RegisterJobLeases(r, api);
  RegisterClientHeartbeats(r, api);
}

/// Active while heard from within the lease (docs/protocol.md).
bool ClientActive(Api& api, const std::string& name) {
  auto c = api.store.ClientHeardOf(name);
  return c && Active(*c, api.controller.lease_policy());
}

}  // namespace cbit::web
