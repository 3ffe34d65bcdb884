#include "client/lease.h"

#include <spdlog/spdlog.h>

namespace cbit::client {

JobLease::JobLease(ControllerApi& api, Id job, std::string client,
                   std::chrono::milliseconds interval)
    : api_(api), job_(job), client_(std::move(client)), renewer_(interval, [this] { Renew(); }) {}

std::string JobLease::why() const {
  std::lock_guard lock(mu_);
  return why_;
}

bool JobLease::Check() {
  Renew();
  return !lost_;
}

void JobLease::Renew() {
  if (lost_) return;
  try {
    api_.RenewLease(job_, client_);
  } catch (const ApiError& e) {
    if (e.status == 409) {
      spdlog::warn("job {}: lease lost: {}", job_, e.what());
      std::lock_guard lock(mu_);
      why_ = e.what();
      lost_ = true;
    } else {
      // Unreachable, or an answer that says nothing about the lease: the
      // next tick tries again.
      spdlog::warn("job {}: lease not renewed ({}); trying again", job_, e.what());
    }
  }
}

}  // namespace cbit::client
