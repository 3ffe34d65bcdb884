#include "watcher/spool.h"

#include <fcntl.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <stdexcept>

#include "core/debian.h"
#include "util/unique_fd.h"

namespace cbit::watcher {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

constexpr const char* kSuffix = ".report.json";
constexpr const char* kTempPrefix = ".tmp-";

[[noreturn]] void Fail(const std::string& what) {
  throw std::runtime_error(what + ": " + std::strerror(errno));
}

void SyncDirectory(const std::string& dir) {
  UniqueFd fd(open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!fd || fsync(fd.get()) != 0) Fail("cannot sync directory " + dir);
}

// A name that sorts in the order reports were made: microseconds since the
// epoch, zero-padded, then a counter for reports made within one.
std::string NewName(std::uint64_t counter) {
  auto us = std::chrono::duration_cast<std::chrono::microseconds>(
                std::chrono::system_clock::now().time_since_epoch())
                .count();
  char buf[64];
  std::snprintf(buf, sizeof buf, "%020lld-%06llu", static_cast<long long>(us),
                static_cast<unsigned long long>(counter % 1000000));
  return std::string(buf) + "-" + std::to_string(getpid()) + kSuffix;
}

std::optional<std::string> ReadSmallFile(const std::string& path) {
  std::error_code ec;
  auto size = fs::file_size(path, ec);
  if (ec || size > Spool::kMaxFileBytes) return std::nullopt;
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  if (!in && !in.eof()) return std::nullopt;
  return ss.str();
}

}  // namespace

std::string EncodeReport(const SpooledReport& r) {
  const UploadOutcome& o = r.outcome;
  json j = {{"changes", o.changes}, {"source", o.source},       {"version", o.version},
            {"arch", o.arch},       {"published", o.published}, {"log", o.log}};
  if (r.job) j["job"] = *r.job;
  if (r.log_end) j["log_end"] = {{"attempt", r.log_end->attempt}, {"length", r.log_end->length}};
  // Invalid UTF-8 in reprepro's output is replaced rather than refused.
  return j.dump(-1, ' ', false, json::error_handler_t::replace);
}

std::optional<SpooledReport> DecodeReport(const std::string& text) {
  try {
    json j = json::parse(text);
    SpooledReport r;
    UploadOutcome& o = r.outcome;
    o.changes = j.at("changes").get<std::string>();
    o.source = j.at("source").get<std::string>();
    o.version = j.at("version").get<std::string>();
    o.arch = j.at("arch").get<std::string>();
    o.published = j.at("published").get<bool>();
    o.log = j.at("log").get<std::string>();
    if (j.contains("job")) r.job = j.at("job").get<Id>();
    if (j.contains("log_end")) {
      r.log_end = LogEnd{j.at("log_end").at("attempt").get<int>(),
                         j.at("log_end").at("length").get<std::int64_t>()};
    }
    // These reach the controller's query string: the same checks as a .changes.
    bool arch_ok = o.arch.empty() || debian::IsArch(o.arch);
    if (!debian::IsPackageName(o.source) || !debian::IsVersion(o.version) || !arch_ok ||
        (r.job && *r.job <= 0) || (r.log_end && (r.log_end->attempt < 0 || r.log_end->length < 0)))
      return std::nullopt;
    return r;
  } catch (const json::exception&) {
    return std::nullopt;
  }
}

Spool::Spool(std::string dir) : dir_(std::move(dir)) {
  std::error_code ec;
  fs::create_directories(dir_, ec);
  if (ec) throw std::runtime_error("cannot create spool directory " + dir_ + ": " + ec.message());
}

void Spool::WriteAtomically(const std::string& path, const std::string& text) {
  std::string tmp = dir_ + "/" + kTempPrefix + fs::path(path).filename().string();
  {
    UniqueFd fd(open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600));
    if (!fd) Fail("cannot write " + tmp);
    for (std::size_t done = 0; done < text.size();) {
      ssize_t n = write(fd.get(), text.data() + done, text.size() - done);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) Fail("cannot write " + tmp);
      done += static_cast<std::size_t>(n);
    }
    if (fsync(fd.get()) != 0) Fail("cannot sync " + tmp);
  }
  if (rename(tmp.c_str(), path.c_str()) != 0) Fail("cannot rename " + tmp + " to " + path);
  SyncDirectory(dir_);
}

std::string Spool::Add(const SpooledReport& r) {
  std::string path = dir_ + "/" + NewName(counter_++);
  WriteAtomically(path, EncodeReport(r));
  return path;
}

void Spool::Update(const std::string& path, const SpooledReport& r) {
  WriteAtomically(path, EncodeReport(r));
}

void Spool::Remove(const std::string& path) {
  std::error_code ec;
  fs::remove(path, ec);
  if (ec) spdlog::error("cannot remove the sent report {}: {}", path, ec.message());
}

void Spool::MoveAside(const std::string& path, const std::string& why) {
  fs::path corrupt = fs::path(dir_) / "corrupt";
  std::error_code ec;
  fs::create_directories(corrupt, ec);
  fs::rename(path, corrupt / fs::path(path).filename(), ec);
  spdlog::error("spool: {} {}; moved to {}{}", path, why, corrupt.string(),
                ec ? " failed: " + ec.message() : "");
  if (ec) fs::remove(path, ec);  // never read it again at every start
}

std::vector<Spool::Entry> Spool::Load() {
  std::vector<std::string> names;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(dir_, ec)) {
    std::string name = e.path().filename().string();
    if (name.starts_with(kTempPrefix)) {
      fs::remove(e.path(), ec);  // a write that never reached its rename
    } else if (e.is_regular_file(ec) && name.ends_with(kSuffix)) {
      names.push_back(name);
    }
  }
  std::sort(names.begin(), names.end());
  std::vector<Entry> out;
  for (const std::string& name : names) {
    std::string path = dir_ + "/" + name;
    std::optional<std::string> text = ReadSmallFile(path);
    std::optional<SpooledReport> r = text ? DecodeReport(*text) : std::nullopt;
    if (!r) {
      MoveAside(path, text ? "is not a report" : "cannot be read or is too large");
      continue;
    }
    out.push_back({path, std::move(*r)});
  }
  return out;
}

}  // namespace cbit::watcher
