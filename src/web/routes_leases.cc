// Leases (docs/protocol.md, "Leases"): a client holding a job renews its
// lease on it, every client says it is alive while idle, and anyone reads
// when a job's holder and each client were last heard from.
#include <algorithm>
#include <cctype>

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
  w.Key("queues");
  if (c.queues) {
    w.BeginArray();
    std::string_view rest = *c.queues;
    while (!rest.empty()) {
      const std::size_t comma = std::min(rest.find(','), rest.size());
      w.String(std::string(rest.substr(0, comma)));
      rest.remove_prefix(std::min(comma + 1, rest.size()));
    }
    w.EndArray();
  } else {
    w.Null();
  }
  w.EndObject();
}

// A heartbeat's optional `queues`: the queues the client consumes,
// comma-separated (older clients send none).
constexpr std::size_t kMaxQueues = 100, kMaxQueueName = 255;

bool QueueName(std::string_view q) {
  if (q.empty() || q.size() > kMaxQueueName) return false;
  return std::all_of(q.begin(), q.end(), [](unsigned char ch) {
    return std::isalnum(ch) || ch == '_' || ch == '-' || ch == '.' || ch == ':';
  });
}

std::optional<std::string> QueuesField(const Form& f) {
  if (!f.Has("queues")) return std::nullopt;
  const std::string all = f.Get("queues");
  if (!all.empty() && all.back() == ',') throw HttpError(400, "queues: an empty queue name");
  std::size_t count = 0;
  for (std::size_t start = 0; start < all.size();) {
    const std::size_t comma = std::min(all.find(',', start), all.size());
    const std::string_view q = std::string_view(all).substr(start, comma - start);
    if (!QueueName(q))
      throw HttpError(400, "queues: '" + std::string(q.substr(0, kMaxQueueName)) +
                               "' is not a queue name (1 to 255 letters, digits, _ - . :)");
    if (++count > kMaxQueues)
      throw HttpError(400, "queues: more than " + std::to_string(kMaxQueues) + " queues");
    start = comma + 1;
  }
  return all;
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
                api.store.Heard(name, std::nullopt, NowMicros(), QueuesField(Form(req)));
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
