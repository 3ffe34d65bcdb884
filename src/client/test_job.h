// A valid job for the client's unit tests, changed field by field per test.
#pragma once

#include "client/job_spec.h"

namespace cbit::client {

inline JobSpec TestJob(std::string method = "git") {
  JobSpec job;
  job.package = "hello-cbit";
  job.version = "1:1.0-2";
  job.suite = "bookworm";
  job.arch = "amd64";
  job.dist = "debian";
  job.format = "deb";
  job.transport = {std::move(method), "https://example.org/hello.git", "abc123"};
  return job;
}

}  // namespace cbit::client
