// Following a build log through GET /job/<id>/log?offset=N: each poll asks
// for what came after the bytes already shown, so a dropped connection or a
// restarted controller costs a retry and never repeats or loses text.
#pragma once

#include <chrono>
#include <functional>
#include <ostream>

#include "cli/controller.h"

namespace cbit::cli {

struct FollowOptions {
  int attempt = 0;  ///< 0: the latest attempt when following starts
  std::chrono::milliseconds poll{100};
  /// How long the controller may stay unreachable before giving up.
  std::chrono::seconds give_up{300};
};

/// What a follow saw at its end.
struct FollowEnd {
  int attempt = 0;
  bool job_finished = false;  ///< false: a later attempt began
};

/// A source of log chunks (the controller, or a fake in tests).
using LogSource = std::function<LogChunk(long long offset, int attempt)>;

/// Writes the attempt's log to `out` as it grows, until the job finishes or
/// a later attempt begins. A CliError of kUnreachable from `source` is
/// retried (noted once on `err`) until `give_up` passes without an answer.
FollowEnd FollowLog(const LogSource& source, const FollowOptions& o, std::ostream& out,
                    std::ostream& err, const std::function<void(std::chrono::milliseconds)>& sleep);

}  // namespace cbit::cli
