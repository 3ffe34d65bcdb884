#include "store/upkeep.h"

#include <spdlog/spdlog.h>

namespace cbit::store {

Upkeep::Upkeep(Store& store, std::chrono::milliseconds interval)
    : store_(store),
      periodic_(
          interval, [this] { Round(); }, Periodic::First::kAfterInterval) {}

void Upkeep::Round() {
  try {
    for (const auto& done : store_.Upkeep()) spdlog::debug("store: {}", done);
  } catch (const std::exception& e) {
    spdlog::warn("store: table upkeep failed: {}", e.what());
  }
}

}  // namespace cbit::store
