// Whether a message on the client's queues comes from the controller: its
// signature (queue/signing.h) checked against the keys GET /signing-keys
// lists. The client's own broker user may publish to the exchange, so
// without this any client could send another a build request pointing at
// other sources, or a cancel for a build it does not hold.
#pragma once

#include <chrono>
#include <string>

#include "client/controller_api.h"
#include "queue/consumer.h"
#include "queue/signing.h"

namespace cbit::client {

class MessageAuth {
 public:
  using Clock = std::chrono::steady_clock;
  enum class Verdict { kAccept, kReject, kRetryLater };
  struct Outcome {
    Verdict verdict = Verdict::kAccept;
    std::string reason;  ///< why rejected or postponed
  };

  /// `required` false accepts unsigned messages (a pyBit controller signs
  /// nothing); a signature that is there is checked all the same.
  MessageAuth(ControllerApi& api, bool required) : api_(api), required_(required) {}

  Outcome Check(const queue::Delivery& d, Clock::time_point now = Clock::now());

 private:
  /// Reads the controller's keys again; false when it could not be asked.
  bool Refresh(Clock::time_point now, std::string& error);

  ControllerApi& api_;
  bool required_;
  queue::Verifier verifier_;
  std::optional<Clock::time_point> refreshed_;
};

}  // namespace cbit::client
