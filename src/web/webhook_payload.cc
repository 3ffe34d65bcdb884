#include "web/webhook_payload.h"

#include <nlohmann/json.hpp>

#include "source/vcs.h"
#include "web/router.h"

namespace cbit::web {
namespace {

using nlohmann::json;

std::string StringAt(const json& doc, std::initializer_list<const char*> path) {
  std::string name;
  for (const char* key : path) name += (name.empty() ? "" : ".") + std::string(key);
  const json* at = &doc;
  for (const char* key : path) {
    if (!at->is_object() || !at->contains(key)) throw HttpError(400, "push payload has no " + name);
    at = &(*at)[key];
  }
  if (!at->is_string()) throw HttpError(400, "push payload: " + name + " is not a string");
  return at->get<std::string>();
}

}  // namespace

const char* ForgeName(Forge f) {
  switch (f) {
    case Forge::kGitHub:
      return "github";
    case Forge::kGitLab:
      return "gitlab";
    case Forge::kGitea:
      return "gitea";
  }
  return "";
}

PushEvent ParsePush(Forge forge, std::string_view body) {
  json doc = json::parse(body, nullptr, false);
  if (doc.is_discarded()) throw HttpError(400, "push payload is not valid JSON");
  if (!doc.is_object()) throw HttpError(400, "push payload is not a JSON object");
  PushEvent e;
  e.forge = forge;
  e.ref = StringAt(doc, {"ref"});
  e.before = StringAt(doc, {"before"});
  e.after = StringAt(doc, {"after"});
  e.clone_url = forge == Forge::kGitLab ? StringAt(doc, {"project", "git_http_url"})
                                        : StringAt(doc, {"repository", "clone_url"});
  for (auto [name, rev] : {std::pair{"before", &e.before}, std::pair{"after", &e.after}}) {
    if (!source::IsObjectName(*rev))
      throw HttpError(
          400, std::string("push payload: ") + name + " '" + *rev + "' is not a git object name");
  }
  if (e.clone_url.empty() || e.clone_url[0] == '-' ||
      e.clone_url.find_first_of(" \t\r\n") != std::string::npos)
    throw HttpError(400, "push payload: clone URL '" + e.clone_url + "' is malformed");
  return e;
}

}  // namespace cbit::web
