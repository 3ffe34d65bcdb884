// One start-up try of the controller (peercheck): a request with the
// program's own credentials, so a token the controller does not take is
// told from a controller that is down.
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "http/controller_client.h"
#include "peercheck/await.h"

namespace cbit::http {

/// Sends `method` `path` (no body) with the credentials to each controller
/// URL in turn until one answers; its status says (ClassifyControllerStatus).
peercheck::Answer ProbeController(const std::vector<std::string>& urls,
                                  const Credentials& credentials, const std::string& method,
                                  const std::string& path, std::chrono::seconds timeout);

/// 401 and 403 (credentials, role) are kRefused; 429, 5xx and no answer
/// (status 0) kUnreachable; anything else (a 404 too: the credentials
/// passed) kReady.
peercheck::Answer ClassifyControllerStatus(int status, const std::string& detail);

/// "the controller at URL" (or "the controllers at A, B").
std::string DescribeControllers(const std::vector<std::string>& urls);

}  // namespace cbit::http
