// systemd's readiness protocol (sd_notify): a service of Type=notify tells
// systemd when it is ready and when it stops. Without NOTIFY_SOCKET (not
// started by systemd) each call does nothing.
#pragma once

namespace cbit::notify {

/// READY=1: start-up is over (listening, watching, consuming).
void Ready();
/// STOPPING=1: shutting down after a stop signal.
void Stopping();

}  // namespace cbit::notify
