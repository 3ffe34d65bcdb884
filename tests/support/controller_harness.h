// An in-process controller for integration tests: the real store, job logic,
// outbox and HTTP server on a free port, with a real or fake publisher.
#pragma once

#include <httplib.h>

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <thread>

#include "controller/controller.h"
#include "controller/lease_expiry.h"
#include "controller/outbox.h"
#include "controller/store_job_store.h"
#include "events/store_events.h"
#include "queue/signing.h"
#include "store/signing_keys.h"
#include "store/store.h"
#include "web/api.h"
#include "web/auth.h"
#include "web/farm_metrics.h"
#include "web/server.h"
#include "web/webhook_worker.h"

namespace cbit::testing {

inline constexpr const char* kAdminUser = "admin";
inline constexpr const char* kAdminPassword = "test-password";
/// The argon2id hash of kAdminPassword, made once per binary (it is slow on
/// purpose).
const std::string& AdminHash();

class ControllerHarness {
 public:
  /// `web_host` goes into messages (the captures used localhost:18080);
  /// `repository`, when set, is served under /debian/ (web.repository); a
  /// `webhooks` config with a forge secret starts a WebhookWorker; `tune`
  /// changes the config before anything starts (the store's controller.log_*
  /// limits included). Tests build from repositories on this machine:
  /// controller.allow_local_uris is on unless `tune` turns it off.
  ControllerHarness(std::unique_ptr<store::Database> db, queue::Publisher& publisher,
                    std::string web_host = "localhost:18080", web::WebhookConfig webhooks = {},
                    std::string repository = {}, bool wait_for_confirm = false,
                    const std::function<void(web::Config&)>& tune = {});
  ~ControllerHarness();

  int port() const { return port_; }
  store::Store& store() { return store_; }
  controller::Outbox& outbox() { return outbox_; }
  /// A keep-alive client with admin credentials.
  httplib::Client& admin() { return *admin_; }
  /// One target through the API as admin: dist Debian, format deb, suite
  /// bookworm on `arch` (call inside ASSERT_NO_FATAL_FAILURE).
  void AddOneTarget(const std::string& arch = "amd64");
  /// A client without credentials.
  httplib::Client& anon() { return *anon_; }
  /// GET /events' hub.
  events::Hub& events() { return events_.hub(); }
  /// The server's route table.
  const web::Router& router() const { return http_.router(); }
  /// Requests the server answered on an I/O thread (Router::Fast).
  std::uint64_t fast_answers() const { return http_.fast_answers(); }
  /// A new API token of `role` (a builder bound to `client`), stored as
  /// `cbit-web token add` stores it.
  std::string AddToken(const std::string& name, web::Role role, const std::string& client = {});
  /// A keep-alive client sending `Authorization: Bearer <token>`.
  std::unique_ptr<httplib::Client> TokenClient(const std::string& token);
  /// The key the controller signs its messages with.
  queue::SigningKey SigningKey() {
    return store::SigningKeys(store_.db()).Current(queue::NewSigningKey);
  }

 private:
  web::Config cfg_;
  store::Store store_;
  /// Migrated before anything below starts (the webhook worker reads its table).
  bool migrated_ = (store_.Migrate(), true);
  /// Every message signed, as cbit-web signs them.
  queue::SigningPublisher signing_;
  controller::StoreJobStore jobs_;
  controller::Outbox outbox_;
  controller::Controller controller_;
  web::Authenticator auth_;
  std::unique_ptr<web::WebhookWorker> webhooks_;
  /// controller.lease_seconds and max_attempts, as cbit-web runs them.
  std::unique_ptr<controller::LeaseExpiry> leases_;
  events::StoreEvents events_;
  web::FarmMetrics metrics_;
  web::Api api_;
  web::HttpServer http_;
  int port_ = 0;
  std::thread thread_;
  std::unique_ptr<httplib::Client> admin_, anon_;
};

/// Form-encodes key=value pairs.
std::string FormBody(std::initializer_list<std::pair<std::string, std::string>> fields);

/// Adds the target dist Debian, format deb, `suite` on this machine's
/// architecture (master weight 1) through the admin API. Throws
/// std::runtime_error naming the request a controller refused.
void AddHostTarget(httplib::Client& admin, const std::string& suite);

/// Submits `package` 1.0 for `suite` through POST /job/vcshook (dist Debian,
/// format deb, every architecture, git from /nowhere, as a dry-run client
/// builds it); the first job's id, or 0 without a 200 answer.
Id SubmitFromNowhere(httplib::Client& c, const std::string& package, const std::string& suite);

/// A job of `package` at `version` (suite chickpea, dist Debian, format deb,
/// this machine's architecture, which the controller must know), taken
/// through Building by build_client_t with one log line to Done, as a build
/// client would; 0 without a 200 answer to the submission.
Id DoneJob(httplib::Client& admin, const std::string& package, const std::string& version);

/// The job's latest status from GET /job/<id>/status ("" without one).
std::string StatusOf(httplib::Client& c, Id job);

/// The job's status once it is `want`, or at the deadline (polled).
std::string StatusWithin(httplib::Client& c, Id job, const std::string& want,
                         std::chrono::seconds deadline);

}  // namespace cbit::testing
