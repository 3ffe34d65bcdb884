// Forge webhooks: POST /webhook/github, /webhook/gitlab, /webhook/gitea.
// Each checks the forge's signature (or token) before reading the body,
// ignores events other than a branch push, and stores the push for the
// WebhookWorker (committed before the answer), answering 202 at once: forges
// give up on slow receivers.
#include <algorithm>
#include <nlohmann/json.hpp>

#include "web/api.h"
#include "web/webhook_verify.h"
#include "web/webhook_worker.h"

namespace cbit::web {
namespace {

// What a full queue asks the forge to wait: about one mirror update.
constexpr int kFullRetryAfterSeconds = 60;

bool AllZeros(const std::string& s) { return s.find_first_not_of('0') == std::string::npos; }

void SendJsonStatus(Response& res, int status, std::string body) {
  SendJson(res, std::move(body));
  res.status = status;
}

std::string Quoted(const std::string& s) { return nlohmann::json(s).dump(); }

struct ForgeRules {
  Forge forge;
  const char* path;
  const char* event_header;  ///< names the event
  const char* push_event;    ///< that header's value for a push
  /// The configured secret or token; empty: not configured.
  std::string WebhookConfig::*secret;
  const char* signature_header;
};

const ForgeRules kForges[] = {
    {Forge::kGitHub, "/webhook/github", "X-GitHub-Event", "push", &WebhookConfig::github_secret,
     "X-Hub-Signature-256"},
    {Forge::kGitea, "/webhook/gitea", "X-Gitea-Event", "push", &WebhookConfig::gitea_secret,
     "X-Gitea-Signature"},
    {Forge::kGitLab, "/webhook/gitlab", "X-Gitlab-Event", "Push Hook", &WebhookConfig::gitlab_token,
     "X-Gitlab-Token"},
};

// Throws HttpError 401 unless the request carries the forge's proof.
void Authenticate(const ForgeRules& rules, const WebhookConfig* config, const Request& req) {
  const std::string name = ForgeName(rules.forge);
  if (!config || (config->*rules.secret).empty())
    throw HttpError(401, "the " + name + " webhook is not configured on this controller");
  const std::string& secret = config->*rules.secret;
  std::string given = req.get_header_value(rules.signature_header);
  if (given.empty()) throw HttpError(401, std::string(rules.signature_header) + " is missing");
  bool ok = false;
  if (rules.forge == Forge::kGitLab) {
    ok = TokenEquals(secret, given);
  } else {
    std::string hex = given;
    if (rules.forge == Forge::kGitHub) {
      ok = hex.starts_with("sha256=");
      hex = hex.substr(ok ? 7 : 0);
    } else {
      ok = true;
    }
    ok = ok && VerifyHmacSha256Hex(secret, req.body, hex);
  }
  if (!ok) {
    throw HttpError(401, std::string(rules.signature_header) +
                             (rules.forge == Forge::kGitLab
                                  ? " does not match the configured token"
                                  : " does not match the body (check the webhook secret)"));
  }
}

// GitHub may deliver form-encoded: the JSON is then the `payload` field.
std::string PayloadOf(const Request& req) {
  if (req.get_header_value("Content-Type").starts_with("application/x-www-form-urlencoded")) {
    if (!req.has_param("payload")) throw HttpError(400, "form-encoded delivery without payload");
    return req.get_param_value("payload");
  }
  return req.body;
}

}  // namespace

void RegisterWebhookRoutes(Router& r, Api& api) {
  for (const ForgeRules& rules : kForges) {
    r.Post(
        rules.path,
        [&api, &rules](const Request& req, Response& res) {
          WebhookWorker* worker = api.webhooks;
          Authenticate(rules, worker ? &worker->config() : nullptr, req);
          std::string event = req.get_header_value(rules.event_header);
          if (event != rules.push_event) {
            SendJsonStatus(res, 200,
                           "{\"result\": \"ignored\", \"reason\": " +
                               Quoted("event " + event + " is not a push") + "}");
            return;
          }
          PushEvent e = ParsePush(rules.forge, PayloadOf(req));
          if (!e.ref.starts_with("refs/heads/") || AllZeros(e.after)) {
            SendJsonStatus(res, 200,
                           "{\"result\": \"ignored\", \"reason\": " +
                               Quoted(e.ref + " is not a branch update") + "}");
            return;
          }
          const auto& prefixes = worker->config().allowed_uri_prefixes;
          if (!prefixes.empty() &&
              std::none_of(prefixes.begin(), prefixes.end(),
                           [&](const std::string& p) { return e.clone_url.starts_with(p); }))
            throw HttpError(
                403, "clone URL " + e.clone_url + " is not under webhooks.allowed_uri_prefixes");
          std::string body = "{\"result\": \"queued\", \"repository\": " + Quoted(e.clone_url) +
                             ", \"ref\": " + Quoted(e.ref) + ", \"after\": " + Quoted(e.after) +
                             "}";
          if (!worker->Enqueue(e)) {
            SendError(res, 503,
                      "the webhook queue is full (" + std::to_string(worker->config().queue_limit) +
                          " pushes wait for the worker); redeliver later");
            res.set_header("Retry-After", std::to_string(kFullRetryAfterSeconds));
            return;
          }
          SendJsonStatus(res, 202, std::move(body));
        },
        Need::Signed());
  }
}

}  // namespace cbit::web
