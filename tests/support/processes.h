// Looking at this machine's processes and waiting for a condition, for
// tests that check what runs (or no longer runs) after a step.
#pragma once

#include <chrono>
#include <functional>
#include <string>
#include <vector>

namespace cbit::testing {

/// Processes of this machine whose command line (arguments joined by
/// spaces) holds `marker`.
std::vector<int> ProcessesWith(const std::string& marker);

/// Polls `pred` every 100 ms until it holds; false once `deadline` has
/// passed without it.
bool WaitFor(const std::function<bool()>& pred, std::chrono::seconds deadline);

}  // namespace cbit::testing
