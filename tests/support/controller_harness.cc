#include "tests/support/controller_harness.h"

#include <gtest/gtest.h>

#include <mutex>
#include <stdexcept>
#include <utility>
#include <vector>

#include "store/tokens.h"
#include "tests/support/debpkg.h"
#include "web/api_token.h"
#include "web/token_lookup.h"

namespace cbit::testing {
namespace {

web::Config TestConfig(const std::string& web_host, const std::string& repository,
                       const std::function<void(web::Config&)>& tune) {
  web::Config c;
  c.interface = "127.0.0.1";
  c.port = 0;
  c.hostname = web_host;
  c.threads = 16;
  c.users = {{kAdminUser, web::User{.hash = AdminHash()}}};
  c.repository = repository;
  // Tests build from repositories on this machine.
  c.allow_local_uris = true;
  // Tests read the store's figures right after changing them.
  c.metrics_cache_ms = 0;
  if (tune) tune(c);
  return c;
}

}  // namespace

const std::string& AdminHash() {
  static std::once_flag once;
  static std::string hash;
  std::call_once(once, [] { hash = web::HashPassword(kAdminPassword); });
  return hash;
}

ControllerHarness::ControllerHarness(std::unique_ptr<store::Database> db,
                                     queue::Publisher& publisher, std::string web_host,
                                     web::WebhookConfig webhooks, std::string repository,
                                     bool wait_for_confirm,
                                     const std::function<void(web::Config&)>& tune)
    : cfg_(TestConfig(web_host, repository, tune)),
      store_(std::move(db), {.job_cache = static_cast<std::size_t>(cfg_.job_cache),
                             .logs = {.bytes_per_attempt = cfg_.log_limit_bytes,
                                      .keep_attempts = cfg_.log_keep_attempts,
                                      .keep_days = cfg_.log_keep_days}}),
      signing_(publisher, store::SigningKeys(store_.db()).Current(queue::NewSigningKey)),
      jobs_(store_),
      outbox_(jobs_, signing_),
      controller_(jobs_, outbox_,
                  {.web_host = web_host,
                   .wait_for_confirm = wait_for_confirm,
                   .allow_local_uris = cfg_.allow_local_uris,
                   .lease = {.lease_us = std::int64_t{cfg_.lease_seconds} * 1000000,
                             .max_attempts = cfg_.max_attempts}}),
      auth_(cfg_.users, web::StoreTokenLookup(store_.db())),
      webhooks_(webhooks.enabled() ? std::make_unique<web::WebhookWorker>(controller_, store_.db(),
                                                                          std::move(webhooks))
                                   : nullptr),
      events_(store_, web::EventOptions(cfg_)),
      metrics_(store_, signing_, web::MetricsOptionsOf(cfg_)),
      api_{store_, controller_, signing_, webhooks_.get(), &events_.hub(), &metrics_},
      http_(cfg_, api_, auth_) {
  outbox_.Start();
  leases_ = std::make_unique<controller::LeaseExpiry>(
      controller_, controller::LeaseExpiry::IntervalFor(controller_.lease_policy()));
  port_ = http_.Bind();
  thread_ = std::thread([this] { http_.Serve(); });
  admin_ = std::make_unique<httplib::Client>("127.0.0.1", port_);
  admin_->set_basic_auth(kAdminUser, kAdminPassword);
  admin_->set_keep_alive(true);
  anon_ = std::make_unique<httplib::Client>("127.0.0.1", port_);
  for (auto* c : {admin_.get(), anon_.get()}) {
    c->set_tcp_nodelay(true);
    c->set_read_timeout(10, 0);
    c->set_connection_timeout(5, 0);
  }
}

void ControllerHarness::AddOneTarget(const std::string& arch) {
  for (const auto& [path, body] : std::vector<std::pair<std::string, std::string>>{
           {"/dist", "name=Debian"},
           {"/format", "name=deb"},
           {"/arch", "name=" + arch},
           {"/suite", "name=bookworm"},
           {"/suitearch", "suite=bookworm&arch=" + arch + "&master_weight=1"}}) {
    auto r = admin().Put(path, body, "application/x-www-form-urlencoded");
    ASSERT_TRUE(r) << path;
    ASSERT_EQ(r->status, 200) << path << ": " << r->body;
  }
}

std::string ControllerHarness::AddToken(const std::string& name, web::Role role,
                                        const std::string& client) {
  std::string token = web::NewToken();
  store::Tokens(store_.db())
      .Add({.name = name,
            .digest = web::TokenDigest(token),
            .role = web::RoleName(role),
            .client = client,
            .created_us = 1});
  return token;
}

std::unique_ptr<httplib::Client> ControllerHarness::TokenClient(const std::string& token) {
  auto c = std::make_unique<httplib::Client>("127.0.0.1", port_);
  c->set_bearer_token_auth(token);
  c->set_keep_alive(true);
  c->set_tcp_nodelay(true);
  c->set_read_timeout(10, 0);
  c->set_connection_timeout(5, 0);
  return c;
}

ControllerHarness::~ControllerHarness() {
  // Close the clients first: a server worker waits on an idle keep-alive
  // connection until it closes or times out.
  admin_.reset();
  anon_.reset();
  http_.Stop();
  if (thread_.joinable()) thread_.join();
  if (webhooks_) webhooks_->Stop();
  leases_.reset();  // it publishes through the outbox
  outbox_.Stop();
}

std::string FormBody(std::initializer_list<std::pair<std::string, std::string>> fields) {
  httplib::Params p(fields.begin(), fields.end());
  return httplib::detail::params_to_query_str(p);
}

void AddHostTarget(httplib::Client& admin, const std::string& suite) {
  const std::string arch = HostArch();
  for (auto [path, body] : std::initializer_list<std::pair<std::string, std::string>>{
           {"/arch", "name=" + arch},
           {"/dist", "name=Debian"},
           {"/format", "name=deb"},
           {"/suite", "name=" + suite},
           {"/suitearch", "suite=" + suite + "&arch=" + arch + "&master_weight=1"}}) {
    auto r = admin.Put(path, body, "application/x-www-form-urlencoded");
    if (!r || r->status != 200)
      throw std::runtime_error("PUT " + path + " " + body + ": " + (r ? r->body : "no answer"));
  }
}

Id SubmitFromNowhere(httplib::Client& c, const std::string& package, const std::string& suite) {
  auto r = c.Post("/job/vcshook",
                  FormBody({{"package", package},
                            {"package_version", "1.0"},
                            {"suite", suite},
                            {"distribution", "Debian"},
                            {"architecture_list", "any"},
                            {"format", "deb"},
                            {"method", "git"},
                            {"uri", "/nowhere"},
                            {"vcs_id", "abc"}}),
                  "application/x-www-form-urlencoded");
  if (!r || r->status != 200) return 0;
  return nlohmann::json::parse(r->body).at("jobs").at(0).get<Id>();
}

Id DoneJob(httplib::Client& admin, const std::string& package, const std::string& version) {
  constexpr const char* kForm = "application/x-www-form-urlencoded";
  auto r = admin.Post("/job/vcshook",
                      FormBody({{"package", package},
                                {"package_version", version},
                                {"suite", "chickpea"},
                                {"distribution", "Debian"},
                                {"architecture_list", HostArch()},
                                {"format", "deb"},
                                {"method", "git"},
                                {"uri", "/nowhere"},
                                {"vcs_id", "v" + version}}),
                      kForm);
  if (!r || r->status != 200) return 0;
  Id id = nlohmann::json::parse(r->body).at("jobs").at(0).get<Id>();
  std::string path = "/job/" + std::to_string(id);
  EXPECT_EQ(admin.Put(path, "status=Building&client=build_client_t", kForm)->status, 200);
  EXPECT_EQ(admin.Post(path + "/log?offset=0", "built it\n", "text/plain")->status, 200);
  EXPECT_EQ(admin.Put(path, "status=Done", kForm)->status, 200);
  return id;
}

std::string StatusOf(httplib::Client& c, Id job) {
  auto r = c.Get("/job/" + std::to_string(job) + "/status");
  if (!r || r->status != 200) return "";
  auto history = nlohmann::json::parse(r->body);
  return history.empty() ? "" : history.back().at("status").get<std::string>();
}

std::string StatusWithin(httplib::Client& c, Id job, const std::string& want,
                         std::chrono::seconds deadline) {
  auto until = std::chrono::steady_clock::now() + deadline;
  while (StatusOf(c, job) != want && std::chrono::steady_clock::now() < until)
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  return StatusOf(c, job);
}

}  // namespace cbit::testing
