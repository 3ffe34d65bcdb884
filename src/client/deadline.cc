#include "client/deadline.h"

#include <algorithm>

namespace cbit::client {

StepDeadline::StepDeadline(std::chrono::seconds limit, std::string step)
    : limit_(limit), step_(std::move(step)) {
  if (limit.count() > 0) end_ = Clock::now() + limit;
}

Command StepDeadline::Apply(Command cmd) const {
  if (end_) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(*end_ - Clock::now());
    cmd.timeout = std::max(left, std::chrono::milliseconds(1));
  }
  return cmd;
}

std::string StepDeadline::Expired(const std::string& what) const {
  return what + " timed out: the " + step_ + " step's limit of " + std::to_string(limit_.count()) +
         " s ran out";
}

}  // namespace cbit::client
