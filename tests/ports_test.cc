// Test programs running side by side never choose the same server port.
#include "tests/support/ports.h"

#include <gtest/gtest.h>

namespace cbit::testing {
namespace {

TEST(TestPorts, AReservedPortIsNotReservedAgain) {
  int port = FreePort();  // reserved by this program
  EXPECT_TRUE(PortFree(port));
  EXPECT_FALSE(ReservePort(port));
  EXPECT_NE(FreePort(), port);
}

}  // namespace
}  // namespace cbit::testing
