// The watcher's side of reprepro: processincoming, and the queries that tell
// what a repository actually publishes (reprepro exits 0 when it skips an
// upload whose version it already has, so its exit status alone says
// little). Commands go through CommandRunner, the seam unit tests replace.
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "util/subprocess.h"

namespace cbit::watcher {

/// Runs one external command.
class CommandRunner {
 public:
  virtual ~CommandRunner() = default;
  virtual CommandResult Run(const Command& cmd) = 0;
};

/// The real one: RunCommand (argv, own process group, output captured).
class SubprocessRunner final : public CommandRunner {
 public:
  CommandResult Run(const Command& cmd) override { return RunCommand(cmd); }
};

/// One package version a codename publishes, as `reprepro list` knows it.
struct Published {
  std::string codename;
  std::string arch;  ///< "source" for the source package
  std::string name;
  std::string version;  ///< with its epoch, if any
  /// Its package file (.deb, .udeb or .dsc) with the repository's outdir
  /// prepended; the pool directory that holds the upload's files.
  std::string file;
  bool operator==(const Published&) const = default;
};

/// The --list-format the queries use, and its parser.
inline constexpr const char* kListFormat =
    "${$codename}|${$architecture}|${package}|${version}|${$fullfilename}\\n";
std::vector<Published> ParseList(const std::string& output);

/// The codenames an upload for `distribution` (the .changes' Distribution:
/// field, possibly several words) lands in through the conf/incoming stanza
/// named `rule`: its Allow: entries ("dist" or "dist>codename"), else its
/// Default:, else every Codename: of conf/distributions (so a check never
/// misses a package reprepro put somewhere unexpected).
std::vector<std::string> TargetCodenames(const std::string& incoming_conf,
                                         const std::string& distributions_conf,
                                         const std::string& rule, const std::string& distribution);

/// True when reprepro did nothing because another reprepro holds the
/// repository's lock (db/lockfile): nothing was refused, try again later.
bool IsLocked(const CommandResult& r);

class Repository {
 public:
  Repository(CommandRunner& runner, std::string base, std::chrono::seconds timeout)
      : runner_(runner), base_(std::move(base)), timeout_(timeout) {}

  /// The argv of `reprepro -b BASE processincoming RULE [CHANGES]`: with a
  /// .changes file name, reprepro processes that upload only.
  std::vector<std::string> ProcessIncomingArgv(const std::string& rule,
                                               const std::string& changes = {}) const;
  CommandResult ProcessIncoming(const std::string& rule, const std::string& changes = {});

  /// Every package of `codename` built from source `source` (the source
  /// itself and its binaries). Throws std::runtime_error when reprepro fails.
  std::vector<Published> ListSource(const std::string& codename, const std::string& source);

  /// TargetCodenames with the files of this repository.
  std::vector<std::string> Codenames(const std::string& rule, const std::string& distribution);

  const std::string& base() const { return base_; }

 private:
  CommandRunner& runner_;
  std::string base_;
  std::chrono::seconds timeout_;
};

}  // namespace cbit::watcher
