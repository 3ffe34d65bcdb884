// Integration tests: real PostgreSQL, RabbitMQ and Debian tools. Servers are
// started on first use by tests/support and stopped here when the run ends;
// scratch directories go with the test that made them (tests/README.md).
#include <gtest/gtest.h>
#include <signal.h>
#include <spdlog/spdlog.h>

#include <cstdlib>

#include "tests/support/fixture.h"
#include "tests/support/scratch_listener.h"

int main(int argc, char** argv) {
  ::testing::InitGoogleTest(&argc, argv);
  // spdlog's registry made here, before any thread, as cbit's daemons make it
  // in main(): made first by two threads of a test at once, ThreadSanitizer
  // cannot see libspdlog's (uninstrumented) static guard and calls it a race.
  spdlog::default_logger();
  ::testing::UnitTest::GetInstance()->listeners().Append(new cbit::testing::ScratchListener);
  // An interrupted run still stops what it started.
  for (int sig : {SIGINT, SIGTERM}) {
    ::signal(sig, [](int) {
      cbit::testing::RunExitHooks();
      std::_Exit(130);
    });
  }
  int rc = RUN_ALL_TESTS();
  cbit::testing::RunExitHooks();
  return rc;
}
