#include "core/transport_check.h"

#include <algorithm>
#include <cctype>
#include <string_view>

namespace cbit {
namespace {

constexpr std::size_t kMaxUri = 2048;
constexpr std::size_t kMaxVcsId = 256;

bool IsSchemeChar(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '+' || c == '.' || c == '-';
}

// The length of a leading "scheme" followed by `sep`, or 0.
std::size_t SchemeBefore(std::string_view uri, std::string_view sep) {
  auto end = uri.find(sep);
  if (end == std::string_view::npos || end == 0) return 0;
  if (!std::isalpha(static_cast<unsigned char>(uri[0]))) return 0;
  auto scheme = uri.substr(0, end);
  return std::all_of(scheme.begin(), scheme.end(), IsSchemeChar) ? end : 0;
}

// One command-line argument that cannot read as an option and keeps a log
// line whole.
std::optional<std::string> ArgumentProblem(const char* field, std::string_view v, std::size_t max) {
  if (v.size() > max) return std::string(field) + " is longer than " + std::to_string(max);
  if (v.front() == '-') return std::string(field) + " '" + std::string(v) + "' starts with '-'";
  bool clean = std::none_of(v.begin(), v.end(), [](char c) {
    auto u = static_cast<unsigned char>(c);
    return u <= ' ' || u == 0x7f;
  });
  if (!clean) return std::string(field) + " holds blanks or control characters";
  return std::nullopt;
}

// Schemes each method's client reaches a server with; git runs a program
// git-remote-<scheme> for any other.
bool KnownScheme(const std::string& method, const std::string& scheme) {
  static const char* const kGit[] = {"http", "https", "git", "ssh", "git+ssh", "ssh+git", "file"};
  static const char* const kSvn[] = {"http", "https", "svn", "svn+ssh", "file"};
  auto in = [&](const auto& list) {
    return std::find(std::begin(list), std::end(list), scheme) != std::end(list);
  };
  return method == "git" ? in(kGit) : in(kSvn);
}

std::string LowerScheme(const std::string& uri, std::size_t n) {
  std::string scheme = uri.substr(0, n);
  std::transform(scheme.begin(), scheme.end(), scheme.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return scheme;
}

}  // namespace

bool IsLocalUri(const std::string& uri) {
  if (std::size_t n = SchemeBefore(uri, "://")) return LowerScheme(uri, n) == "file";
  if (uri.starts_with("file:")) return true;
  // git reads host:path (a colon before any slash) as ssh.
  auto colon = uri.find(':');
  return colon == std::string::npos || colon == 0 || uri.find('/') < colon;
}

namespace {

std::optional<std::string> MethodProblem(const std::string& method) {
  if (method.empty()) return "method is missing";
  if (method != "git" && method != "svn" && method != "apt")
    return "method '" + method + "' is not one a client fetches with (git, svn, apt)";
  return std::nullopt;
}

std::optional<std::string> UriProblem(const Transport& t, LocalUris local) {
  // apt fetches name=version from the client's own sources: a uri, if any
  // (pyBit's .changes hook sends "apt"), is only recorded.
  if (t.uri.empty()) {
    if (t.method == "apt") return std::nullopt;
    return "uri is missing";
  }
  if (auto p = ArgumentProblem("uri", t.uri, kMaxUri)) return p;
  if (t.method != "git" && t.method != "svn") return std::nullopt;
  if (SchemeBefore(t.uri, "::"))
    return "uri '" + t.uri + "' uses a git remote helper (<helper>::<address>), which is refused";
  if (std::size_t n = SchemeBefore(t.uri, "://");
      n && !KnownScheme(t.method, LowerScheme(t.uri, n)))
    return "uri '" + t.uri + "' has a scheme clients do not fetch " + t.method + " sources from";
  if (local == LocalUris::kRefused && IsLocalUri(t.uri))
    return "uri '" + t.uri +
           "' is a local path or file: URI, refused unless controller.allow_local_uris is set";
  return std::nullopt;
}

}  // namespace

std::optional<std::string> TransportProblem(const Transport& t, LocalUris local) {
  std::string out;
  auto add = [&out](const std::optional<std::string>& p) {
    if (p) out += (out.empty() ? "" : "; ") + *p;
  };
  add(MethodProblem(t.method));
  add(UriProblem(t, local));
  if (!t.vcs_id.empty()) add(ArgumentProblem("vcs_id", t.vcs_id, kMaxVcsId));
  if (out.empty()) return std::nullopt;
  return out;
}

}  // namespace cbit
