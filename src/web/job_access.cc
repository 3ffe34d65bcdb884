#include "web/job_access.h"

#include <algorithm>

#include "web/router.h"

namespace cbit::web {
namespace {

std::string JobName(const Job& job) { return "job " + std::to_string(job.id); }

bool HeldBy(const Job& job, const std::string& client) {
  return job.buildclient && job.buildclient->name == client;
}

// 409 naming the holder when another client holds the job; 403 when nobody
// gave it to this builder.
void RequireHeld(const Principal& who, const Job& job) {
  if (HeldBy(job, who.client)) return;
  if (job.buildclient)
    throw HttpError(409, JobName(job) + " is held by client " + job.buildclient->name);
  throw HttpError(403, JobName(job) + " is not held by client " + who.client);
}

void CheckClaim(const Principal& who, const Job& job, const std::optional<std::string>& takeover) {
  bool claimable = job.status == status::kWaiting || job.status == status::kBlocked;
  // A restarted client takes its own Building job back; a client takes over
  // the job of a holder it found silent, naming it (the job logic accepts
  // that only while the named client still holds the job).
  bool retaken = job.status == status::kBuilding &&
                 (HeldBy(job, who.client) || (takeover && HeldBy(job, *takeover)));
  if (!claimable && !retaken) {
    if (job.buildclient && !HeldBy(job, who.client))
      throw HttpError(
          409, JobName(job) + " is " + job.status + ", held by client " + job.buildclient->name);
    throw HttpError(409, JobName(job) + " is " + job.status + ", not Waiting or Blocked");
  }
  std::string queue = QueueName(job.instance);
  if (!who.queues.empty() &&
      std::find(who.queues.begin(), who.queues.end(), queue) == who.queues.end())
    throw HttpError(
        403, JobName(job) + " is in queue " + queue + ", not one of client " + who.client + "'s");
}

std::optional<std::string> CheckBuilderReport(const Principal& who, const Job& job,
                                              const std::string& status,
                                              const std::optional<std::string>& client,
                                              const std::optional<std::string>& takeover) {
  if (client && *client != who.client)
    throw HttpError(403, "client " + who.client + " may not report as client " + *client);
  if (status == status::kUploaded)
    throw HttpError(403, "a builder may not report Uploaded (the watcher does)");
  if (status == status::kBuilding) {
    CheckClaim(who, job, takeover);
  } else {
    RequireHeld(who, job);
  }
  return who.client;
}

void CheckWatcherReport(const Job& job, const std::string& status,
                        const std::optional<std::string>& client) {
  if (status != status::kUploaded && status != status::kFailed)
    throw HttpError(403, "a watcher may only report Uploaded or Failed, not " + status);
  if (client) throw HttpError(403, "a watcher may not name a client");
  if (job.status != status::kDone)
    throw HttpError(409, JobName(job) + " is " + job.status + ", not Done");
}

}  // namespace

std::optional<std::string> CheckReport(const Principal& who, const Job& job,
                                       const std::string& status,
                                       const std::optional<std::string>& client,
                                       const std::optional<std::string>& takeover) {
  switch (who.role) {
    case Role::kAdmin:
      return client;
    case Role::kBuilder:
      return CheckBuilderReport(who, job, status, client, takeover);
    case Role::kWatcher:
      CheckWatcherReport(job, status, client);
      return std::nullopt;
    case Role::kSubmitter:
    case Role::kReader:
      break;
  }
  throw HttpError(403, std::string("role ") + RoleName(who.role) + " may not report a status");
}

void CheckLogAppend(const Principal& who, const Job& job) {
  switch (who.role) {
    case Role::kAdmin:
      return;
    case Role::kBuilder:
      RequireHeld(who, job);
      // A client writes only while it builds: a job no longer Building
      // took its lease away (its log is closed before its final status).
      if (job.status != status::kBuilding)
        throw HttpError(409, JobName(job) + " is " + job.status + ": client " + who.client +
                                 " holds no lease on it");
      return;
    case Role::kWatcher:
      // The watcher appends reprepro's verdict before reporting it.
      if (job.status != status::kDone)
        throw HttpError(409, JobName(job) + " is " + job.status + ", not Done");
      return;
    case Role::kSubmitter:
    case Role::kReader:
      break;
  }
  throw HttpError(403, std::string("role ") + RoleName(who.role) + " may not write build logs");
}

}  // namespace cbit::web
