// The fault injector: at random moments (a seeded RNG, so a run can be
// repeated) it kills -9 a part of the farm and starts it again after a
// random downtime, or freezes a client for longer than its lease. One fault
// at a time; each part is back before the next fault begins. It runs on the
// thread that started the farm (the caller's Tick): the parts it starts
// again die with the thread that started them (PR_SET_PDEATHSIG).
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "bench/chaos/farm.h"

namespace cbit::chaos {

enum class FaultKind { kController, kBroker, kDatabase, kClient, kWatcher, kFrozenClient };
inline constexpr std::array kFaultKinds{FaultKind::kController, FaultKind::kBroker,
                                        FaultKind::kDatabase,   FaultKind::kClient,
                                        FaultKind::kWatcher,    FaultKind::kFrozenClient};
const char* NameOf(FaultKind kind);

struct Fault {
  FaultKind kind;
  std::int64_t begin_us = 0;  ///< when it struck (system clock, as job histories)
  std::int64_t end_us = 0;    ///< when the part was back (started or thawed)
};

struct FaultOptions {
  std::uint64_t seed = 1;
  double min_gap_seconds = 1, max_gap_seconds = 5;  ///< between two faults
  double max_down_seconds = 3;                      ///< a killed part's downtime
  std::vector<FaultKind> kinds;                     ///< drawn in turn, shuffled
};

class Injector {
 public:
  Injector(Farm& farm, FaultOptions options);

  /// Strikes or ends a fault when its time has come; call it often.
  void Tick();
  /// Ends the fault under way (the part comes back); no more faults.
  void Stop();
  const std::vector<Fault>& faults() const { return faults_; }
  /// Why a part could not be started again; empty when every restart worked.
  const std::string& error() const { return error_; }

 private:
  using Clock = std::chrono::steady_clock;
  void Strike();
  void Restore();
  double Uniform(double lo, double hi);
  Clock::time_point After(double seconds) const;

  Farm& farm_;
  FaultOptions options_;
  std::mt19937_64 rng_;
  std::vector<FaultKind> bag_;  ///< the kinds left in this round
  bool stopped_ = false;
  std::optional<Fault> current_;  ///< the fault under way
  int client_ = 0;                ///< the client it struck
  int node_ = 0;                  ///< the RabbitMQ node it struck (of a cluster)
  int controller_ = 0;            ///< the controller it struck (of several)
  Clock::time_point next_;        ///< when the next fault strikes, or the current one ends
  std::vector<Fault> faults_;
  std::string error_;
};

}  // namespace cbit::chaos
