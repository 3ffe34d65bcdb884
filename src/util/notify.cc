#include "util/notify.h"

#include <spdlog/spdlog.h>
#include <systemd/sd-daemon.h>

#include <cstring>

namespace cbit::notify {
namespace {

void Send(const char* state) {
  // 0: no NOTIFY_SOCKET; < 0: it could not be written to, which must not
  // stop the service (systemd then times the start out and says so).
  int rc = sd_notify(0, state);
  if (rc < 0) spdlog::warn("sd_notify({}): {}", state, std::strerror(-rc));
}

}  // namespace

void Ready() { Send("READY=1"); }
void Stopping() { Send("STOPPING=1"); }

}  // namespace cbit::notify
