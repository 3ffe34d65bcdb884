// The REST API of docs/protocol.md (pyBit 1.0's paths, all kept), registered on a
// Router. One file per family of routes; this header is what they share.
#pragma once

#include <functional>
#include <optional>
#include <string>

#include "controller/controller.h"
#include "events/hub.h"
#include "queue/publisher.h"
#include "store/store.h"
#include "web/router.h"

namespace cbit::web {

class WebhookWorker;
class FarmMetrics;

/// What route handlers talk to.
struct Api {
  store::Store& store;
  controller::Controller& controller;
  queue::Publisher& publisher;
  WebhookWorker* webhooks = nullptr;  ///< null: no forge webhook is configured
  events::Hub* events = nullptr;      ///< null: GET /events answers 503
  FarmMetrics* metrics = nullptr;     ///< null: GET /metrics answers 404, nothing is counted
};

/// pyBit's page sizes.
inline constexpr int kLookupPage = 5;
inline constexpr int kLongPage = 10;  ///< jobs, packages, package instances, buildds

/// The routes every collection has: list, page, count, get, create, delete.
struct Collection {
  std::string base;  ///< "/arch"
  int page_size = kLookupPage;
  std::function<std::string(const Request&, store::Page)> list;  ///< JSON array
  std::function<std::int64_t(const Request&)> count;             ///< rows
  std::function<std::string(Id)> get;                            ///< JSON object
  /// Optional: get()'s JSON when it can be had from memory, without
  /// blocking (the GET answered on an I/O thread); nullopt: use get().
  std::function<std::optional<std::string>(Id)> peek;
  std::function<std::string(const Form&)> create;  ///< JSON of the new row
  std::function<void(Id)> remove;
  /// Optional: changes a row from a form (PUT or POST base/<id>), JSON of
  /// the changed row; unset: no row of the collection can change.
  std::function<std::string(Id, const Form&)> update;
  std::function<void()> changed;     ///< after create/update/delete (catalog invalidation)
  Need create_need = Need::Admin();  ///< who may create
};
void RegisterCollection(Router& r, Collection c);

void RegisterLookupRoutes(Router& r, Api& api);
void RegisterPackageRoutes(Router& r, Api& api);
void RegisterJobRoutes(Router& r, Api& api);
void RegisterLogRoutes(Router& r, Api& api);
void RegisterWebhookRoutes(Router& r, Api& api);
void RegisterLeaseRoutes(Router& r, Api& api);
void RegisterEventRoutes(Router& r, Api& api);
void RegisterSigningRoutes(Router& r, Api& api);
/// GET /metrics, /health/live, /health/ready (routes_health.cc).
void RegisterHealthRoutes(Router& r, Api& api);

/// A build client was heard from within the lease (routes_leases.cc).
bool ClientActive(Api& api, const std::string& name);

}  // namespace cbit::web
