#include "events/format.h"

#include <algorithm>

#include "core/json_writer.h"
#include "core/wire.h"

namespace cbit::events {
namespace {

void OptString(JsonWriter& w, std::string_view key, const std::optional<std::string>& v) {
  w.Key(key);
  if (v) {
    w.String(*v);
  } else {
    w.Null();
  }
}

void OptInt(JsonWriter& w, std::string_view key, const std::optional<std::int64_t>& v) {
  w.Key(key);
  if (v) {
    w.Int(*v);
  } else {
    w.Null();
  }
}

void Field(JsonWriter& w, std::string_view key, std::string_view v) {
  w.Key(key);
  w.String(v);
}

// One event: its lines, then the blank line that ends it. The data is one
// line of JSON (the writer escapes every line break).
std::string Event(std::string_view name, const Id* id, const std::string& data) {
  std::string out;
  out.reserve(data.size() + 48);
  if (id) out.append("id: ").append(std::to_string(*id)).append("\n");
  out.append("event: ").append(name).append("\ndata: ").append(data).append("\n\n");
  return out;
}

template <typename T>
bool Among(const std::vector<T>& list, const T& v) {
  return list.empty() || std::find(list.begin(), list.end(), v) != list.end();
}

}  // namespace

std::string JobEventText(const store::JobEvent& e) {
  JsonWriter w;
  w.BeginObject();
  w.Key("id");
  w.Int(e.id);
  w.Key("job");
  w.Int(e.job_id);
  Field(w, "package", e.package);
  Field(w, "version", e.version);
  Field(w, "arch", e.arch);
  Field(w, "dist", e.dist);
  Field(w, "suite", e.suite);
  Field(w, "format", e.format);
  OptString(w, "buildenv", e.buildenv);
  Field(w, "status", e.status);
  OptString(w, "client", e.client);
  Field(w, "time", wire::FormatTime(e.time_us));
  w.Key("time_us");
  w.Int(e.time_us);
  OptString(w, "reason", e.reason);
  w.EndObject();
  return Event(e.created ? "created" : "status", &e.id, w.Take());
}

std::string ClientEventText(const store::ClientState& c) {
  JsonWriter w;
  w.BeginObject();
  w.Key("id");
  w.Int(c.id);
  Field(w, "client", c.name);
  OptString(w, "last_heard",
            c.last_heard_us ? std::optional(wire::FormatTime(*c.last_heard_us)) : std::nullopt);
  OptInt(w, "last_heard_us", c.last_heard_us);
  OptInt(w, "job", c.job);
  w.EndObject();
  return Event("client", nullptr, w.Take());
}

std::string ReadyText(Id id) {
  JsonWriter w;
  w.BeginObject();
  w.Key("id");
  w.Int(id);
  w.EndObject();
  return Event("ready", &id, w.Take());
}

std::string ResetText(Id id, const std::string& reason) {
  JsonWriter w;
  w.BeginObject();
  w.Key("id");
  w.Int(id);
  Field(w, "reason", reason);
  w.EndObject();
  return Event("reset", &id, w.Take());
}

bool Filter::Matches(const store::JobEvent& e) const {
  if (!Among(jobs, e.job_id) || !Among(packages, e.package)) return false;
  return clients.empty() || (e.client && Among(clients, *e.client));
}

bool Filter::Matches(const store::ClientState& c) const {
  return jobs.empty() && packages.empty() && Among(clients, c.name);
}

}  // namespace cbit::events
