// The whole wire protocol of cbit in one place (docs/protocol.md):
// pyBit's jsonpickle shapes with "py/object" class tags, key order as pyBit.
//
//   direction                      message            where
//   controller → HTTP clients      every model below  REST answers
//   controller → build queue       BuildRequest       {dist}_{arch}_{suite}_{format}
//   controller → build_client_X    CancelRequest      the client's command queue
//
// Encoders append to a JsonWriter (fast for long lists); decoders accept keys
// in any order, ignore unknown keys and resolve jsonpickle's {"py/id": N}.
#pragma once

#include <cstddef>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "core/json_writer.h"
#include "core/model.h"

namespace cbit::wire {

/// What a decoder reads at most (docs/protocol.md, "Limits"): a message is
/// untrusted until decoded, and a hostile one must cost a client no more than
/// a refusal. Depth counts nested objects and arrays, the root being 1;
/// expansion counts the nodes and string bytes that py/id references copy.
inline constexpr std::size_t kMaxMessageBytes = 1 << 20;
inline constexpr int kMaxDepth = 64;
inline constexpr std::size_t kMaxExpansion = 1 << 16;

/// A message that cannot be decoded; what() names the problem.
struct DecodeError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

void Write(JsonWriter& w, const Lookup& l, LookupKind kind);
void Write(JsonWriter& w, const Package& p);
void Write(JsonWriter& w, const PackageInstance& pi);
void Write(JsonWriter& w, const SuiteArch& sa);
void Write(JsonWriter& w, const BuildEnvSuiteArch& b);
void Write(JsonWriter& w, const Job& j);
void Write(JsonWriter& w, const JobHistory& h);
void Write(JsonWriter& w, const Blacklist& b);
void Write(JsonWriter& w, const Transport& t);
void Write(JsonWriter& w, const BuildRequest& r);
void Write(JsonWriter& w, const CancelRequest& r);

/// One object as a JSON text.
template <typename T>
std::string Encode(const T& v) {
  JsonWriter w;
  Write(w, v);
  return w.Take();
}
std::string Encode(const Lookup& l, LookupKind kind);

/// A JSON array of objects.
template <typename T>
std::string EncodeList(const std::vector<T>& items) {
  JsonWriter w;
  w.out().reserve(items.size() * 600 + 2);
  w.BeginArray();
  for (const auto& i : items) Write(w, i);
  w.EndArray();
  return w.Take();
}
std::string EncodeList(const std::vector<Lookup>& items, LookupKind kind);

BuildRequest DecodeBuildRequest(std::string_view text);
CancelRequest DecodeCancelRequest(std::string_view text);
Job DecodeJob(std::string_view text);

/// pyBit's class tag of a lookup kind, e.g. "pybit.models.Arch".
const char* ClassTag(LookupKind kind);

/// "YYYY-MM-DD HH:MM:SS.ffffff" (UTC) as pyBit prints times.
std::string FormatTime(std::int64_t time_us);

}  // namespace cbit::wire
