// Wall-clock time as the store keeps it: microseconds since the epoch (UTC).
#pragma once

#include <chrono>
#include <cstdint>

namespace cbit {

inline std::int64_t NowMicros() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace cbit
