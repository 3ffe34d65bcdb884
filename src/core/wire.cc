#include "core/wire.h"

#include <algorithm>
#include <ctime>
#include <nlohmann/json.hpp>

#include "core/lookup_kind.h"

namespace cbit::wire {
namespace {

// ordered_json keeps document order, which jsonpickle's py/id numbering follows.
using json = nlohmann::ordered_json;

void Tag(JsonWriter& w, const char* cls) {
  w.BeginObject();
  w.Key("py/object");
  w.String(cls);
}

void Field(JsonWriter& w, const char* k, Id v) {
  w.Key(k);
  w.Int(v);
}

void Field(JsonWriter& w, const char* k, std::string_view v) {
  w.Key(k);
  w.String(v);
}

template <typename T>
void Optional(JsonWriter& w, const char* k, const std::optional<T>& v, LookupKind kind) {
  w.Key(k);
  if (v) {
    Write(w, *v, kind);
  } else {
    w.Null();
  }
}

void WriteJobBody(JsonWriter& w, const Job& j) {
  Field(w, "id", j.id);
  w.Key("packageinstance");
  Write(w, j.instance);
  Optional(w, "buildclient", j.buildclient, LookupKind::kBuildClient);
}

// --- decoding ---------------------------------------------------------------

// jsonpickle writes an object it has already written as {"py/id": N}, N
// counting tagged objects in the order they were first written (from 1).
// A reference copies that object, so a chain of objects each referring twice
// to the one before doubles at every link: the copies are counted against a
// budget, and their depth against the same limit as the parsed text's.
class RefResolver {
 public:
  void Resolve(json& root) { Visit(root, 1); }

 private:
  // What a subtree costs once resolved: its nodes and string bytes, its height.
  struct Shape {
    std::size_t cost = 1;
    int height = 1;
  };

  Shape Visit(json& node, int depth) {
    if (node.is_object()) {
      if (auto it = node.find("py/id"); it != node.end() && node.size() == 1)
        return Substitute(node, *it, depth);
      std::size_t slot = seen_.size();
      bool tagged = node.contains("py/object");
      if (tagged) {
        seen_.emplace_back();
        shapes_.emplace_back();
      }
      Shape shape;
      for (auto& [k, v] : node.items()) Add(shape, Visit(v, depth + 1), k.size());
      if (tagged) {
        seen_[slot] = node;
        shapes_[slot] = shape;
      }
      return shape;
    }
    Shape shape;
    if (node.is_array()) {
      for (auto& v : node) Add(shape, Visit(v, depth + 1), 0);
    } else if (node.is_string()) {
      shape.cost += node.get_ref<const std::string&>().size();
    }
    return shape;
  }

  static void Add(Shape& parent, const Shape& child, std::size_t key_size) {
    parent.cost += child.cost + key_size;
    parent.height = std::max(parent.height, child.height + 1);
  }

  Shape Substitute(json& node, const json& ref, int depth) {
    if (!ref.is_number_integer()) throw DecodeError("py/id is not a number");
    auto n = ref.get<std::int64_t>();
    if (n < 1 || n > static_cast<std::int64_t>(seen_.size()))
      throw DecodeError("py/id " + std::to_string(n) + " refers to no earlier object");
    const Shape shape = shapes_[n - 1];
    if (depth - 1 + shape.height > kMaxDepth)
      throw DecodeError("py/id references nest deeper than " + std::to_string(kMaxDepth) +
                        " levels");
    if (shape.cost > budget_)
      throw DecodeError("py/id references expand beyond " + std::to_string(kMaxExpansion) +
                        " nodes and bytes");
    budget_ -= shape.cost;
    node = seen_[n - 1];
    return shape;
  }

  std::vector<json> seen_;
  std::vector<Shape> shapes_;
  std::size_t budget_ = kMaxExpansion;
};

// nlohmann's parser keeps its own stack, but everything that walks the
// document afterwards recurses: the depth is checked before parsing, by a
// scan that is exact for valid JSON (anything else fails to parse anyway).
void CheckDepth(std::string_view text) {
  int depth = 0;
  bool in_string = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (in_string) {
      if (c == '\\') {
        ++i;
      } else if (c == '"') {
        in_string = false;
      }
    } else if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      if (++depth > kMaxDepth)
        throw DecodeError("nested deeper than " + std::to_string(kMaxDepth) + " levels");
    } else if (c == ']' || c == '}') {
      --depth;
    }
  }
}

json Parse(std::string_view text) {
  if (text.size() > kMaxMessageBytes)
    throw DecodeError("message of " + std::to_string(text.size()) + " bytes; at most " +
                      std::to_string(kMaxMessageBytes) + " are read");
  CheckDepth(text);
  json doc = json::parse(text, nullptr, false);
  if (doc.is_discarded()) throw DecodeError("not valid JSON");
  RefResolver().Resolve(doc);
  return doc;
}

const json& Member(const json& o, const char* key) {
  if (!o.is_object()) throw DecodeError(std::string("expected an object holding '") + key + "'");
  auto it = o.find(key);
  if (it == o.end()) throw DecodeError(std::string("missing '") + key + "'");
  return *it;
}

std::string Str(const json& o, const char* key) {
  const json& v = Member(o, key);
  if (v.is_string()) return v.get<std::string>();
  if (v.is_number_integer()) return std::to_string(v.get<std::int64_t>());
  throw DecodeError(std::string("'") + key + "' is not a string");
}

Id IdOf(const json& o, const char* key = "id") {
  const json& v = Member(o, key);
  if (v.is_number_integer()) return v.get<Id>();
  if (v.is_null()) return 0;
  throw DecodeError(std::string("'") + key + "' is not a number");
}

Lookup DecodeLookup(const json& o) { return {IdOf(o), Str(o, "name")}; }

std::optional<Lookup> DecodeOptLookup(const json& o, const char* key) {
  auto it = o.find(key);
  if (it == o.end() || it->is_null()) return std::nullopt;
  return DecodeLookup(*it);
}

PackageInstance DecodeInstance(const json& o) {
  PackageInstance pi;
  pi.id = IdOf(o);
  const json& p = Member(o, "package");
  pi.package = {IdOf(p), Str(p, "name"), Str(p, "version")};
  pi.arch = DecodeLookup(Member(o, "arch"));
  pi.build_env = DecodeOptLookup(o, "build_env");
  pi.suite = DecodeLookup(Member(o, "suite"));
  pi.dist = DecodeLookup(Member(o, "distribution"));
  pi.format = DecodeLookup(Member(o, "format"));
  const json& m = Member(o, "master");
  if (!m.is_boolean()) throw DecodeError("'master' is not a boolean");
  pi.master = m.get<bool>();
  return pi;
}

Job DecodeJobObject(const json& o) {
  Job j;
  j.id = IdOf(o);
  j.instance = DecodeInstance(Member(o, "packageinstance"));
  j.buildclient = DecodeOptLookup(o, "buildclient");
  return j;
}

template <typename F>
auto Guarded(F&& f) {
  try {
    return f();
  } catch (const json::exception& e) {
    throw DecodeError(e.what());
  }
}

}  // namespace

const char* ClassTag(LookupKind kind) { return InfoOf(kind).class_tag.data(); }

void Write(JsonWriter& w, const Lookup& l, LookupKind kind) {
  Tag(w, ClassTag(kind));
  Field(w, "id", l.id);
  Field(w, "name", l.name);
  w.EndObject();
}

void Write(JsonWriter& w, const Package& p) {
  Tag(w, "pybit.models.Package");
  // /package/names lists names only; pyBit answers id and version null there.
  w.Key("id");
  if (p.id)
    w.Int(p.id);
  else
    w.Null();
  w.Key("version");
  if (p.id)
    w.String(p.version);
  else
    w.Null();
  Field(w, "name", p.name);
  w.EndObject();
}

void Write(JsonWriter& w, const PackageInstance& pi) {
  Tag(w, "pybit.models.PackageInstance");
  Field(w, "id", pi.id);
  w.Key("package");
  Write(w, pi.package);
  w.Key("arch");
  Write(w, pi.arch, LookupKind::kArch);
  Optional(w, "build_env", pi.build_env, LookupKind::kBuildEnv);
  w.Key("suite");
  Write(w, pi.suite, LookupKind::kSuite);
  w.Key("distribution");
  Write(w, pi.dist, LookupKind::kDist);
  w.Key("format");
  Write(w, pi.format, LookupKind::kFormat);
  w.Key("master");
  w.Bool(pi.master);
  w.EndObject();
}

void Write(JsonWriter& w, const SuiteArch& sa) {
  Tag(w, "pybit.models.SuiteArch");
  Field(w, "id", sa.id);
  w.Key("suite");
  Write(w, sa.suite, LookupKind::kSuite);
  w.Key("arch");
  Write(w, sa.arch, LookupKind::kArch);
  Field(w, "master_weight", sa.master_weight);
  w.EndObject();
}

void Write(JsonWriter& w, const BuildEnvSuiteArch& b) {
  Tag(w, "pybit.models.BuildEnvSuiteArch");
  Field(w, "id", b.id);
  w.Key("buildenv");
  Write(w, b.build_env, LookupKind::kBuildEnv);
  w.Key("suitearch");
  Write(w, b.suitearch);
  w.EndObject();
}

void Write(JsonWriter& w, const Job& j) {
  Tag(w, "pybit.models.Job");
  WriteJobBody(w, j);
  w.EndObject();
}

void Write(JsonWriter& w, const JobHistory& h) {
  Tag(w, "pybit.models.JobHistory");
  Field(w, "job_id", h.job_id);
  Field(w, "status", h.status);
  w.Key("buildclient");
  if (h.buildclient)
    w.String(*h.buildclient);
  else
    w.Null();
  Field(w, "time", FormatTime(h.time_us));
  if (h.reason) Field(w, "reason", *h.reason);
  w.EndObject();
}

void Write(JsonWriter& w, const Blacklist& b) {
  Tag(w, "pybit.models.Blacklist");
  Field(w, "id", b.id);
  Field(w, "field", b.field);
  Field(w, "regex", b.regex);
  w.EndObject();
}

void Write(JsonWriter& w, const Transport& t) {
  Tag(w, "pybit.models.Transport");
  w.Key("id");
  w.Null();
  Field(w, "method", t.method);
  Field(w, "uri", t.uri);
  Field(w, "vcs_id", t.vcs_id);
  w.EndObject();
}

void Write(JsonWriter& w, const BuildRequest& r) {
  Tag(w, "pybit.models.BuildRequest");
  w.Key("job");
  Write(w, r.job);
  w.Key("transport");
  Write(w, r.transport);
  Field(w, "web_host", r.web_host);
  w.Key("timestamp");
  w.Null();
  if (!r.commands.empty()) {
    w.Key("commands");
    w.BeginArray();
    for (const auto& c : r.commands) w.String(c);
    w.EndArray();
  }
  w.EndObject();
}

void Write(JsonWriter& w, const CancelRequest& r) {
  Tag(w, "pybit.models.CancelRequest");
  w.Key("job");
  Write(w, r.job);
  Field(w, "web_host", r.web_host);
  w.EndObject();
}

std::string Encode(const Lookup& l, LookupKind kind) {
  JsonWriter w;
  Write(w, l, kind);
  return w.Take();
}

std::string EncodeList(const std::vector<Lookup>& items, LookupKind kind) {
  JsonWriter w;
  w.BeginArray();
  for (const auto& i : items) Write(w, i, kind);
  w.EndArray();
  return w.Take();
}

BuildRequest DecodeBuildRequest(std::string_view text) {
  return Guarded([&] {
    json o = Parse(text);
    BuildRequest r;
    r.job = DecodeJobObject(Member(o, "job"));
    const json& t = Member(o, "transport");
    r.transport = {Str(t, "method"), Str(t, "uri"), Str(t, "vcs_id")};
    if (auto it = o.find("web_host"); it != o.end() && it->is_string()) r.web_host = *it;
    // pyBit's controller sent one string (or null); cbit sends a list.
    if (auto it = o.find("commands"); it != o.end() && it->is_array()) {
      for (const auto& c : *it)
        if (c.is_string()) r.commands.push_back(c.get<std::string>());
    } else if (it != o.end() && it->is_string() && !it->get<std::string>().empty()) {
      r.commands.push_back(it->get<std::string>());
    }
    return r;
  });
}

CancelRequest DecodeCancelRequest(std::string_view text) {
  return Guarded([&] {
    json o = Parse(text);
    CancelRequest r;
    r.job = DecodeJobObject(Member(o, "job"));
    if (auto it = o.find("web_host"); it != o.end() && it->is_string()) r.web_host = *it;
    return r;
  });
}

Job DecodeJob(std::string_view text) {
  return Guarded([&] { return DecodeJobObject(Parse(text)); });
}

std::string FormatTime(std::int64_t time_us) {
  std::time_t secs = time_us / 1000000;
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[40];
  std::size_t n = std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S", &tm);
  std::snprintf(buf + n, sizeof buf - n, ".%06lld", static_cast<long long>(time_us % 1000000));
  return buf;
}

}  // namespace cbit::wire
