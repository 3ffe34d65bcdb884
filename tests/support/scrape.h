// GET /metrics of a daemon's metrics listener on 127.0.0.1, parsed strictly.
#pragma once

#include <string>

#include "metrics/test_exposition.h"

namespace cbit::testing {

/// The exposition at 127.0.0.1:port/metrics; throws std::runtime_error when
/// there is no 200 answer or the text does not parse.
metrics::Exposition Scrape(int port);

/// The text of GET /metrics, for a failure's message ("" when none came).
std::string RawMetrics(int port);

/// The status of `method` `path` at 127.0.0.1:port (0: no answer).
int StatusOf(int port, const std::string& method, const std::string& path);

}  // namespace cbit::testing
