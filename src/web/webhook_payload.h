// The push event of a forge webhook (GitHub, GitLab, Gitea), reduced to what
// the controller needs: where to fetch and which ref moved from where to where.
#pragma once

#include <string>
#include <string_view>

namespace cbit::web {

enum class Forge { kGitHub, kGitLab, kGitea };

struct PushEvent {
  Forge forge = Forge::kGitHub;
  std::string clone_url;  ///< GitHub/Gitea repository.clone_url, GitLab project.git_http_url
  std::string ref;        ///< refs/heads/…
  std::string before;     ///< all zeros for a new branch
  std::string after;      ///< all zeros for a deleted branch
};

/// Parses a push payload. Throws HttpError 400 naming the problem (not
/// JSON, a missing field, a revision that is not a hex object name, a clone
/// URL that starts with '-').
PushEvent ParsePush(Forge forge, std::string_view body);

/// "github", "gitlab", "gitea".
const char* ForgeName(Forge f);

}  // namespace cbit::web
