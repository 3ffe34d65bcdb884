#include "controller/lease_expiry.h"

#include <spdlog/spdlog.h>

#include <algorithm>

namespace cbit::controller {

LeaseExpiry::LeaseExpiry(Controller& controller, std::chrono::milliseconds interval)
    : controller_(controller),
      periodic_(
          interval, [this] { Round(); }, Periodic::First::kAfterInterval) {}

std::chrono::milliseconds LeaseExpiry::IntervalFor(const LeasePolicy& policy) {
  std::chrono::milliseconds third{policy.lease_us / 3000};
  return std::clamp(third, std::chrono::milliseconds(200), std::chrono::milliseconds(5000));
}

void LeaseExpiry::Round() {
  try {
    if (int moved = controller_.ExpireLeases()) spdlog::info("leases: {} job(s) moved", moved);
  } catch (const std::exception& e) {
    // The database may be away; the next round tries again.
    spdlog::warn("leases: expiry failed: {}", e.what());
  }
}

}  // namespace cbit::controller
