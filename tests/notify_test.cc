// systemd's readiness protocol: started with NOTIFY_SOCKET (as a
// Type=notify unit is), cbit-web sends READY=1 once it listens and
// STOPPING=1 when told to stop.
#include <gtest/gtest.h>
#include <httplib.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <string>

#include "tests/support/fixture.h"
#include "tests/support/ports.h"
#include "tests/support/web_process.h"
#include "util/unique_fd.h"

namespace cbit::testing {
namespace {

// The next datagram on `fd`, or "" after `ms`.
std::string Receive(int fd, int ms) {
  pollfd p{fd, POLLIN, 0};
  if (poll(&p, 1, ms) != 1) return "";
  char buf[512];
  ssize_t n = recv(fd, buf, sizeof buf, 0);
  return n > 0 ? std::string(buf, static_cast<std::size_t>(n)) : "";
}

TEST(SystemdNotify, CbitWebSaysReadyOnceListeningAndStoppingWhenStopped) {
  const std::string dir = ScratchDir("notify");
  const std::string path = dir + "/notify.sock";
  sockaddr_un addr{};
  ASSERT_LT(path.size(), sizeof addr.sun_path);
  addr.sun_family = AF_UNIX;
  std::memcpy(addr.sun_path, path.c_str(), path.size() + 1);
  UniqueFd sock(socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0));
  ASSERT_GE(sock.get(), 0);
  ASSERT_EQ(bind(sock.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0)
      << std::strerror(errno);

  WebSetup setup{dir, FreePort(), FreePort()};  // no broker: not needed to be ready
  setenv("NOTIFY_SOCKET", path.c_str(), 1);
  std::unique_ptr<WebProcess> web;
  try {
    web = std::make_unique<WebProcess>(setup);
  } catch (...) {
    unsetenv("NOTIFY_SOCKET");
    throw;
  }
  unsetenv("NOTIFY_SOCKET");
  EXPECT_EQ(Receive(sock.get(), 10000), "READY=1");
  httplib::Client c("127.0.0.1", setup.port);
  auto live = c.Get("/health/live");
  ASSERT_TRUE(live);
  EXPECT_EQ(live->status, 200);
  EXPECT_EQ(web->Stop(), 0);
  EXPECT_EQ(Receive(sock.get(), 1000), "STOPPING=1");
}

}  // namespace
}  // namespace cbit::testing
