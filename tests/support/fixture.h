// Shared by the integration tests: scratch directories under the build tree
// and clean-up hooks that run when the test binary ends, so every server a
// test started is stopped (by PID) even when a test fails.
//
// Scratch directories go when their owner ends, kept only to explain a
// failure (tests/README.md):
// - one made during a test goes when that test ends: removed if it passed,
//   kept and named in the output if it failed;
// - one made outside a test, or by ProgramScratchDir (a server shared by the
//   tests), goes when the program ends: removed if every test passed, kept
//   (its logs) and named in the output otherwise.
// tests/support/scratch_listener.h ties them to the tests; without it (the
// benchmark) every directory stays.
#pragma once

#include <functional>
#include <string>

namespace cbit::testing {

/// Registers `fn` to run once when the test program ends (last in, first out).
void AtTestExit(std::function<void()> fn);

/// Runs the registered hooks now (tests/main.cc calls it).
void RunExitHooks();

/// A fresh directory under ${CBIT_BINARY_DIR}/test-tmp named after `what`,
/// owned by the running test if there is one, else by the program.
std::string ScratchDir(const std::string& what);

/// A fresh directory like ScratchDir's, owned by the program.
std::string ProgramScratchDir(const std::string& what);

/// For the listener: directories made from now on belong to the test `name`.
void BeginTestScratch(const std::string& name);

/// For the listener: the test begun last has ended; its directories are
/// removed, or kept when `failed`.
void EndTestScratch(bool failed);

/// For the listener: the program's directories are removed at exit (every
/// test passed) or kept (some failed).
void SetProgramScratchOutcome(bool failed);

}  // namespace cbit::testing
