// The UPLOAD step: optionally signs the .changes with debsign, dputs it to the
// build environment's (or the configured) target, then removes the uploaded
// files from the build directory.
#pragma once

#include <chrono>
#include <optional>
#include <string>

#include "client/job_spec.h"
#include "client/outcome.h"
#include "client/runner.h"

namespace cbit::client {

struct UploadConfig {
  std::string dput_config;          ///< the dput.cf passed with -c
  std::string target;               ///< dput host used when the job has no build environment
  std::string sign_key;             ///< when set, `debsign -k KEY` runs before dput
  std::chrono::seconds timeout{0};  ///< the step's time limit (debsign and dput); zero: none
};

/// Uploads `changes` and, once dput succeeded, deletes it and every file it
/// lists (never anything outside its directory). Failures are
/// kInfrastructureFailed: the package was built, the farm could not take it;
/// a failed dput has the class upload (retried), a step out of time timeout.
StepResult Upload(const JobSpec& job, const std::string& changes, const UploadConfig& config,
                  Runner& runner, const LogSink& sink, const CancelHook& cancel = {});

/// Writes a dput.cf whose `target` copies uploads into the local directory
/// `incoming` (method = local), unsigned uploads allowed. Returns the error.
std::optional<std::string> WriteLocalDputConfig(const std::string& path, const std::string& target,
                                                const std::string& incoming);

}  // namespace cbit::client
