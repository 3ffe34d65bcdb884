#include "tests/support/web_process.h"

#include <fstream>
#include <mutex>
#include <stdexcept>
#include <vector>

#include "tests/support/controller_harness.h"
#include "web/auth.h"

namespace cbit::testing {

WebProcess::WebProcess(const WebSetup& s) {
  static int counter = 0;
  std::string n = std::to_string(++counter);
  nlohmann::json config = {
      {"web",
       {{"interface", "127.0.0.1"},
        {"port", s.port},
        {"threads", 8},
        {"users", {{kAdminUser, AdminHash()}}}}},
      {"db", {{"backend", "sqlite"}, {"path", s.dir + "/cbit.db"}}},
      {"controller",
       {{"rabbit_url", "127.0.0.1:" + std::to_string(s.amqp_port)}, {"allow_local_uris", true}}}};
  if (!s.webhooks.is_null()) config["webhooks"] = s.webhooks;
  if (!s.db.is_null()) config["db"] = s.db;
  config["controller"].update(s.controller);
  config["web"].update(s.web);
  std::string path = s.dir + "/web-" + n + ".json";
  std::ofstream(path) << config.dump(2);
  child_.emplace(std::vector<std::string>{std::string(CBIT_BINARY_DIR) + "/cbit-web", "--config",
                                          path, "--log-level", s.log_level},
                 s.dir + "/web-" + n + ".log");
  if (!child_->WaitForLog("listening on", std::chrono::seconds(30)))
    throw std::runtime_error("cbit-web did not start: " + child_->Log());
}

}  // namespace cbit::testing
