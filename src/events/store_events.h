// The event hub over the store: woken by this process's commits that wrote
// job history and, on PostgreSQL, by other controllers' NOTIFYs.
#pragma once

#include <memory>

#include "events/hub.h"
#include "store/event_rows.h"
#include "store/store.h"

namespace cbit::events {

class StoreEvents {
 public:
  /// Throws store::DbError when the database cannot be read.
  StoreEvents(store::Store& store, const HubOptions& options);
  ~StoreEvents();
  StoreEvents(const StoreEvents&) = delete;
  StoreEvents& operator=(const StoreEvents&) = delete;

  Hub& hub() { return *hub_; }

 private:
  class Rows final : public Source {
   public:
    explicit Rows(store::Database& db) : rows_(db) {}
    store::JobEventBatch JobEventsAfter(Id after, int limit) override {
      return rows_.JobEventsAfter(after, limit);
    }
    Id LatestJobEvent() override { return rows_.LatestJobEvent(); }
    std::vector<store::ClientState> ClientStates() override { return rows_.ClientStates(); }

   private:
    store::EventRows rows_;
  };

  store::Store& store_;
  Rows rows_;
  /// Shared with the wake-ups, which may run on a committing thread as this
  /// object goes away.
  std::shared_ptr<Hub> hub_;
  std::unique_ptr<store::Subscription> others_;
};

}  // namespace cbit::events
