// The watcher's report spool: each upload's verdict is written to disk before
// it is sent, and the file goes only once the controller has the report, so
// a watcher killed (or stopped) while the controller is down sends it at its
// next start. Writes are atomic (a temporary file, fsync, rename, fsync of
// the directory). The files are read back as untrusted input: one that does
// not parse is moved into corrupt/ with a log line.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/model.h"
#include "watcher/controller_api.h"

namespace cbit::watcher {

/// What happened to one upload.
struct UploadOutcome {
  std::string changes;  ///< the .changes file name
  std::string source, version;
  std::string arch;  ///< the job's arch (from the file name); empty: any arch
  bool published = false;
  std::string log;  ///< appended to the job's build log
};

/// A report as the spool keeps it: once the job and the end of its log are
/// known they are kept too, so a report sent again appends its log text at
/// the same offset (which the controller skips) instead of a second time.
struct SpooledReport {
  UploadOutcome outcome;
  std::optional<Id> job;
  std::optional<LogEnd> log_end;
};

class Spool {
 public:
  /// A spool file larger than this is not read (and moved aside).
  static constexpr std::uintmax_t kMaxFileBytes = 64 << 20;

  /// Creates `dir` if needed. Throws std::runtime_error when it cannot.
  explicit Spool(std::string dir);

  /// Writes a new report; returns its file's path. Throws std::runtime_error.
  std::string Add(const SpooledReport& r);
  /// Replaces the report at `path`. Throws std::runtime_error.
  void Update(const std::string& path, const SpooledReport& r);
  /// Removes the report at `path` (the controller has it).
  void Remove(const std::string& path);

  struct Entry {
    std::string path;
    SpooledReport report;
  };
  /// Every report waiting, oldest first; files that do not parse are moved
  /// into corrupt/, half-written temporary files removed.
  std::vector<Entry> Load();

  const std::string& dir() const { return dir_; }

 private:
  void WriteAtomically(const std::string& path, const std::string& text);
  void MoveAside(const std::string& path, const std::string& why);

  std::string dir_;
  std::uint64_t counter_ = 0;
};

/// The JSON of a spool file, and back (nullopt: not a report).
std::string EncodeReport(const SpooledReport& r);
std::optional<SpooledReport> DecodeReport(const std::string& text);

}  // namespace cbit::watcher
