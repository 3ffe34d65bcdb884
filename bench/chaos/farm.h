// The farm a fault-injection run drives, every part real and started through
// the integration tests' support code (tests/support): a RabbitMQ node (or a
// cluster of three with quorum queues, every part given all three),
// PostgreSQL (or a SQLite file), cbit-web (or several on one PostgreSQL,
// every client and the watcher given every URL), host-building cbit-clients
// that dput into an incoming directory, and cbit-watcher publishing it with
// reprepro. Each part can be killed (SIGKILL) and started again in place;
// a client can also be frozen (SIGSTOP, with everything it started).
#pragma once

#include <httplib.h>
#include <sys/types.h>

#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "store/db.h"
#include "tests/support/client_process.h"
#include "tests/support/postgres.h"
#include "tests/support/rabbitmq.h"
#include "tests/support/rabbitmq_cluster.h"
#include "tests/support/watcher_process.h"
#include "tests/support/web_process.h"

namespace cbit::chaos {

struct FarmOptions {
  std::string root;                ///< every file of the run lives below
  std::string backend = "sqlite";  ///< or "postgres"
  int clients = 3;
  int lease_seconds = 4;  ///< the controller's; clients renew every second
  int max_attempts = 25;  ///< lease expiries a job may take before it fails
  /// 1: one RabbitMQ node, classic queues; more: a cluster of that many
  /// nodes, quorum queues, the controller and clients given every node.
  int broker_nodes = 1;
  /// cbit-web processes on the one database (more than 1: PostgreSQL only).
  int controllers = 1;
  std::string suite = "chaos";
};

class Farm {
 public:
  explicit Farm(FarmOptions options);
  ~Farm();
  Farm(const Farm&) = delete;
  Farm& operator=(const Farm&) = delete;

  /// Starts every part and adds the suite to the catalog. Throws.
  void Start();
  /// Stops every part (SIGTERM; a frozen client is thawed first).
  void Stop();

  /// SIGKILL to controller `i` (0 with one), and starting it again.
  void KillController(int i);
  void StartController(int i);
  /// SIGKILL to RabbitMQ node `node` (0 on a single node).
  void KillBroker(int node);
  /// Starts node `node` again; in a cluster, returns once it runs in it
  /// with every other node (so a later kill never leaves two down).
  void StartBroker(int node);
  void KillDatabase();  ///< PostgreSQL only
  void StartDatabase();
  /// Stops PostgreSQL (Stop leaves it running for the checks).
  void StopDatabase();
  void KillWatcher();
  void StartWatcher();
  void KillClient(int i);
  void StartClient(int i);
  /// SIGSTOP (SIGCONT) to client `i` and every process it started.
  void FreezeClient(int i);
  void ThawClient(int i);

  /// A new keep-alive connection to controller `i` as its admin.
  std::unique_ptr<httplib::Client> Admin(int i = 0) const;
  /// A connection to the database the controller uses (for the checks).
  std::unique_ptr<store::Database> OpenDatabase() const;

  const FarmOptions& options() const { return options_; }
  const std::string& repository() const { return repo_; }
  const std::string& incoming() const { return incoming_; }

  /// The lines of every log the run's watchers, clients and controllers
  /// wrote (also of those killed since) that contain one of `needles`, each
  /// prefixed with the process it came from; at most `max_lines`, the last.
  std::vector<std::string> LogLinesWith(const std::vector<std::string>& needles,
                                        std::size_t max_lines) const;

 private:
  void WriteRepository();
  void StartRabbit();
  /// The AMQP addresses of every node, "127.0.0.1:PORT".
  std::vector<std::string> BrokerAddresses() const;
  void AddCatalog();
  /// Every controller's URL, for the clients' and the watcher's failover.
  std::vector<std::string> ControllerUrls() const;
  std::string ClientId(int i) const { return "chaos_client_" + std::to_string(i); }
  std::string ControllerLabel(int i) const;
  /// Keeps the log of a part about to go, labelled.
  void KeepLog(const std::string& label, std::string log);

  FarmOptions options_;
  std::string repo_, incoming_, conninfo_;
  std::vector<testing::WebSetup> webs_;              ///< one per controller
  std::unique_ptr<testing::RabbitNode> rabbit_;      ///< a single node
  std::unique_ptr<testing::RabbitCluster> cluster_;  ///< or a cluster
  std::unique_ptr<testing::PostgresCluster> postgres_;
  std::vector<std::unique_ptr<testing::WebProcess>> controllers_;
  std::optional<testing::WatcherProcess> watcher_;
  std::vector<std::unique_ptr<testing::ClientProcess>> clients_;
  /// (label, text) of each part's log once it stopped or was killed.
  std::vector<std::pair<std::string, std::string>> logs_;
  int watcher_runs_ = 0;
  std::vector<int> client_runs_, controller_runs_;
};

}  // namespace cbit::chaos
