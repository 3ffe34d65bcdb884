#include "client/message_auth.h"

#include <spdlog/spdlog.h>

namespace cbit::client {
namespace {

// A key the client does not know sends it to the controller again at most
// this often (a new controller's key; else a forger would make it ask at
// every message).
constexpr auto kRefreshGap = std::chrono::seconds(10);

}  // namespace

bool MessageAuth::Refresh(Clock::time_point now, std::string& error) {
  try {
    queue::Verifier fresh;
    for (const std::string& key : api_.SigningKeys()) fresh.Add(key);
    verifier_ = std::move(fresh);
    refreshed_ = now;
    return true;
  } catch (const ApiError& e) {
    error = e.what();
  } catch (const std::invalid_argument& e) {
    error = std::string("the controller lists a bad key: ") + e.what();
  }
  return false;
}

MessageAuth::Outcome MessageAuth::Check(const queue::Delivery& d, Clock::time_point now) {
  auto header = d.text_headers.find(queue::kSignatureHeader);
  const std::string signature = header == d.text_headers.end() ? "" : header->second;
  if (signature.empty() && !required_) return {};
  std::string error;
  if (verifier_.empty() && !Refresh(now, error))
    return {Verdict::kRetryLater, "cannot read the controller's signing keys: " + error};
  auto r = verifier_.Check(d.body, signature);
  if (r == queue::Verifier::Result::kUnknownKey &&
      (!refreshed_ || now - *refreshed_ >= kRefreshGap)) {
    if (!Refresh(now, error))
      return {Verdict::kRetryLater, "cannot read the controller's signing keys: " + error};
    r = verifier_.Check(d.body, signature);
  }
  if (r == queue::Verifier::Result::kValid) return {};
  return {Verdict::kReject, std::string("not from the controller: ") + queue::Describe(r)};
}

}  // namespace cbit::client
