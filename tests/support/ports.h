// Ports for the servers the tests start. Several test programs run side by
// side (ctest -j), each starting its own servers on free ports; between
// choosing a port and the server binding it, another program could choose
// it too. So a chosen port is reserved among the test programs: an abstract
// unix socket named after it, held until the program ends (the kernel
// releases it, even after a crash).
#pragma once

namespace cbit::testing {

/// True when nothing listens on 127.0.0.1:`port` now.
bool PortFree(int port);

/// Reserves `port` for this program; false when another test program holds it.
bool ReservePort(int port);

/// A port the kernel reports free, reserved. Throws std::runtime_error.
int FreePort();

}  // namespace cbit::testing
