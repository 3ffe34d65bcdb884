#include "hooks/hook.h"

#include <filesystem>

#include "source/debian_meta.h"
#include "source/vcs.h"

namespace cbit::hooks {
namespace {

namespace fs = std::filesystem;
using source::ChangesInfo;
using source::ExtractChanges;
using source::Finding;
using source::GitChangedPackages;
using source::MetadataError;
using source::PackageMeta;
using source::ParseChangesInfo;
using source::ParseRefUpdates;
using source::RefUpdate;
using source::SvnChangedPackages;
using source::VcsError;

HookSubmission FromMeta(const HookConfig& config, const PackageMeta& m) {
  HookSubmission s;
  s.package = m.changelog.source;
  s.version = m.changelog.version;
  s.suite = m.changelog.suite;
  s.arch_list = m.arch_list;
  s.distribution = config.distribution;
  s.format = config.format;
  return s;
}

ExitCode Send(const Sender& send, const HookSubmission& s, std::ostream& out) {
  try {
    std::string answer = send(s);
    out << "cbit-hook: submitted " << s.Describe() << ": " << answer << "\n";
    return ExitCode::kOk;
  } catch (const SubmitError& e) {
    out << "cbit-hook: NOT submitted " << s.Describe() << ": " << e.what() << "\n";
    return ExitCode::kController;
  }
}

std::string TrimSlashes(std::string s) {
  while (s.size() > 1 && s.back() == '/') s.pop_back();
  return s;
}

}  // namespace

ExitCode Worse(ExitCode a, ExitCode b) {
  return static_cast<int>(a) >= static_cast<int>(b) ? a : b;
}

std::string SubmittedUri(const HookConfig& config, const std::string& repository,
                         const std::string& fallback) {
  if (config.uri.empty()) return fallback;
  std::string name = fs::path(TrimSlashes(repository)).filename().string();
  std::string uri = config.uri;
  for (auto pos = uri.find("{name}"); pos != std::string::npos; pos = uri.find("{name}", pos)) {
    uri.replace(pos, 6, name);
    pos += name.size();
  }
  return uri;
}

ExitCode RunGitPostReceive(const HookConfig& config, std::string_view updates,
                           const std::string& git_dir, const Sender& send, std::ostream& out) {
  ExitCode rc = ExitCode::kOk;
  std::vector<RefUpdate> refs;
  try {
    refs = ParseRefUpdates(updates);
  } catch (const VcsError& e) {
    out << "cbit-hook: " << e.what() << "\n";
    return ExitCode::kVcs;
  }
  const std::string uri = SubmittedUri(config, git_dir, TrimSlashes(git_dir));
  for (const auto& u : refs) {
    if (u.deleted() || !u.ref.starts_with("refs/heads/")) continue;
    std::vector<Finding> found;
    try {
      found = GitChangedPackages(git_dir, u);
    } catch (const VcsError& e) {
      out << "cbit-hook: " << u.ref << ": " << e.what() << "\n";
      rc = Worse(rc, ExitCode::kVcs);
      continue;
    }
    for (const auto& f : found) {
      if (!f.meta) {
        out << "cbit-hook: " << u.ref << ": NOT submitted: " << f.problem << "\n";
        rc = Worse(rc, ExitCode::kMetadata);
        continue;
      }
      if (!f.dir.empty()) {
        out << "cbit-hook: " << u.ref << ": skipped " << f.dir
            << "/: git packages are built from the repository root (the client clones the "
               "repository and builds its top directory)\n";
        continue;
      }
      HookSubmission s = FromMeta(config, *f.meta);
      s.method = "git";
      s.uri = uri;
      s.vcs_id = u.new_rev;
      rc = Worse(rc, Send(send, s, out));
    }
  }
  return rc;
}

ExitCode RunSvnPostCommit(const HookConfig& config, const std::string& repos,
                          const std::string& rev, const Sender& send, std::ostream& out) {
  if (rev.empty() || rev.find_first_not_of("0123456789") != std::string::npos) {
    out << "cbit-hook: revision '" << rev << "' is not a number\n";
    return ExitCode::kUsage;
  }
  std::string abs_repos = TrimSlashes(fs::absolute(repos).lexically_normal().string());
  std::vector<Finding> found;
  try {
    found = SvnChangedPackages(abs_repos, rev);
  } catch (const VcsError& e) {
    out << "cbit-hook: " << e.what() << "\n";
    return ExitCode::kVcs;
  }
  const std::string uri = SubmittedUri(config, abs_repos, "file://" + abs_repos);
  ExitCode rc = ExitCode::kOk;
  for (const auto& f : found) {
    if (!f.meta) {
      out << "cbit-hook: r" << rev << ": NOT submitted: " << f.problem << "\n";
      rc = Worse(rc, ExitCode::kMetadata);
      continue;
    }
    // pyBit's svn hook: uri = the repository, directory = the package; the
    // controller joins them and the client exports uri/directory@rev.
    HookSubmission s = FromMeta(config, *f.meta);
    s.method = "svn";
    s.uri = uri;
    s.directory = f.dir;
    s.vcs_id = rev;
    rc = Worse(rc, Send(send, s, out));
  }
  return rc;
}

ExitCode RunChanges(const HookConfig& config, std::string_view input, const Sender& send,
                    std::ostream& out) {
  ChangesInfo c;
  try {
    c = ParseChangesInfo(ExtractChanges(input));
  } catch (const MetadataError& e) {
    out << "cbit-hook: NOT submitted: " << e.what() << "\n";
    return ExitCode::kMetadata;
  }
  HookSubmission s;
  s.package = c.source;
  s.version = c.version;
  s.suite = c.suite;
  s.arch_list = c.arch_list;
  s.distribution = config.distribution;
  s.format = config.format;
  s.method = "apt";
  s.uri = config.uri.empty() ? "apt" : config.uri;
  return Send(send, s, out);
}

}  // namespace cbit::hooks
