#include "events/store_events.h"

#include <thread>

namespace cbit::events {

StoreEvents::StoreEvents(store::Store& store, const HubOptions& options)
    : store_(store), rows_(store.db()), hub_(std::make_shared<Hub>(rows_, options)) {
  auto wake = [weak = std::weak_ptr<Hub>(hub_)] {
    if (auto hub = weak.lock()) hub->Wake();
  };
  store_.OnJobsCommitted(wake);
  others_ = store_.ListenForJobChanges(wake);
}

StoreEvents::~StoreEvents() {
  store_.OnJobsCommitted(nullptr);
  others_.reset();
  // A commit that took its wake-up before it was removed holds the hub
  // for the length of a Wake(); the hub reads rows_, which goes next.
  while (hub_.use_count() > 1) std::this_thread::yield();
}

}  // namespace cbit::events
