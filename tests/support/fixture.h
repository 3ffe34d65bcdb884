// Shared by the integration tests: a scratch directory under the build tree
// and clean-up hooks that run when the test binary ends, so every server a
// test started is stopped (by PID) even when a test fails.
#pragma once

#include <functional>
#include <string>

namespace cbit::testing {

/// Registers `fn` to run once when the test program ends (last in, first out).
void AtTestExit(std::function<void()> fn);

/// Runs the registered hooks now (tests/main.cc calls it).
void RunExitHooks();

/// A fresh directory under ${CBIT_BINARY_DIR}/test-tmp named after `what`.
std::string ScratchDir(const std::string& what);

}  // namespace cbit::testing
