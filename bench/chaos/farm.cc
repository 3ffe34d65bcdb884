#include "bench/chaos/farm.h"

#include <signal.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "bench/chaos/processes.h"
#include "store/db.h"
#include "tests/support/controller_harness.h"
#include "tests/support/debpkg.h"
#include "tests/support/ports.h"

namespace cbit::chaos {

namespace fs = std::filesystem;

Farm::Farm(FarmOptions options)
    : options_(std::move(options)),
      repo_(options_.root + "/repo"),
      incoming_(options_.root + "/incoming") {}

Farm::~Farm() { Stop(); }

void Farm::WriteRepository() {
  fs::create_directories(repo_ + "/conf");
  fs::create_directories(incoming_);
  fs::create_directories(options_.root + "/reprepro-tmp");
  std::ofstream(repo_ + "/conf/distributions")
      << "Codename: " << options_.suite
      << "\nComponents: main\nArchitectures: " << testing::HostArch() << " source\n";
  std::ofstream(repo_ + "/conf/incoming")
      << "Name: cbit\nIncomingDir: " << incoming_ << "\nTempDir: " << options_.root
      << "/reprepro-tmp\nAllow: " << options_.suite << "\nCleanup: unused_buildinfo_files\n";
}

void Farm::Start() {
  WriteRepository();
  StartRabbit();
  if (options_.backend != "sqlite" && options_.backend != "postgres")
    throw std::runtime_error("backend must be sqlite or postgres");
  if (options_.controllers > 1 && options_.backend != "postgres")
    throw std::runtime_error("several controllers share a PostgreSQL database only");
  testing::WebSetup web;
  // Every controller's files (config, log; the SQLite database) in one place.
  web.dir = options_.root + "/web";
  fs::create_directories(web.dir);
  web.log_level = "info";
  web.controller = {{"lease_seconds", options_.lease_seconds},
                    {"max_attempts", options_.max_attempts}};
  if (cluster_) {
    web.amqp_port = cluster_->node(0).port();
    web.controller["rabbit_url"] = BrokerAddresses();
    web.controller["queue_type"] = "quorum";
  } else {
    web.amqp_port = rabbit_->port();
  }
  if (options_.backend == "postgres") {
    postgres_ = std::make_unique<testing::PostgresCluster>(options_.root + "/pg");
    conninfo_ = postgres_->Start();
    web.db = {{"backend", "postgres"}, {"conninfo", conninfo_}, {"pool", 4}};
  }
  const auto n = static_cast<std::size_t>(options_.controllers);
  webs_.assign(n, web);
  for (auto& w : webs_) w.port = testing::FreePort();
  controllers_.resize(n);
  controller_runs_.assign(n, 0);
  for (std::size_t i = 0; i < n; ++i) StartController(static_cast<int>(i));
  AddCatalog();
  StartWatcher();
  clients_.resize(static_cast<std::size_t>(options_.clients));
  client_runs_.assign(static_cast<std::size_t>(options_.clients), 0);
  for (int i = 0; i < options_.clients; ++i) StartClient(i);
}

void Farm::StartRabbit() {
  if (options_.broker_nodes > 1) {
    cluster_ = std::make_unique<testing::RabbitCluster>(options_.broker_nodes,
                                                        options_.root + "/rabbitmq");
    return;
  }
  rabbit_ = std::make_unique<testing::RabbitNode>(options_.root + "/rabbitmq");
  rabbit_->Start();
}

std::vector<std::string> Farm::BrokerAddresses() const {
  if (cluster_) return cluster_->addresses();
  return {"127.0.0.1:" + std::to_string(rabbit_->port())};
}

void Farm::AddCatalog() { testing::AddHostTarget(*Admin(), options_.suite); }

void Farm::Stop() {
  for (std::size_t i = 0; i < clients_.size(); ++i) {
    if (!clients_[i]) continue;
    ThawClient(static_cast<int>(i));
    clients_[i]->Stop();
    KeepLog(ClientId(static_cast<int>(i)) + "#" + std::to_string(client_runs_[i]),
            clients_[i]->Log());
    clients_[i].reset();
  }
  if (watcher_) {
    watcher_->Stop();
    KeepLog("watcher#" + std::to_string(watcher_runs_), watcher_->Log());
  }
  watcher_.reset();
  for (std::size_t i = 0; i < controllers_.size(); ++i) {
    auto& c = controllers_[i];
    if (!c) continue;
    c->Stop();
    KeepLog(ControllerLabel(static_cast<int>(i)), c->Log());
    c.reset();
  }
  if (rabbit_) rabbit_->Stop();
  cluster_.reset();
  // PostgreSQL stays up for the checks; the exit hook stops it.
}

// "controller#RUN", or "controller1#RUN" for the second of several.
std::string Farm::ControllerLabel(int i) const {
  const auto at = static_cast<std::size_t>(i);
  return "controller" + (controllers_.size() > 1 ? std::to_string(i) : "") + "#" +
         std::to_string(controller_runs_.at(at));
}

void Farm::KillController(int i) {
  auto& c = controllers_.at(static_cast<std::size_t>(i));
  if (!c) return;
  c->Kill();
  KeepLog(ControllerLabel(i), c->Log());
  c.reset();
}

void Farm::StartController(int i) {
  const auto at = static_cast<std::size_t>(i);
  if (controllers_.at(at)) return;
  controllers_[at] = std::make_unique<testing::WebProcess>(webs_[at]);
  ++controller_runs_[at];
}

std::vector<std::string> Farm::ControllerUrls() const {
  std::vector<std::string> urls;
  for (const auto& w : webs_) urls.push_back("http://127.0.0.1:" + std::to_string(w.port));
  return urls;
}

void Farm::KillBroker(int node) {
  if (cluster_) {
    cluster_->node(static_cast<std::size_t>(node)).Kill();
  } else {
    rabbit_->Kill();
  }
}

void Farm::StartBroker(int node) {
  if (cluster_) {
    cluster_->Rejoin(static_cast<std::size_t>(node), std::chrono::seconds(120));
  } else {
    rabbit_->Start();
  }
}

void Farm::KillDatabase() {
  if (postgres_) postgres_->Kill();
}

void Farm::StartDatabase() {
  if (postgres_) postgres_->Start();
}

void Farm::StopDatabase() {
  if (postgres_) postgres_->Stop();
}

void Farm::KillWatcher() {
  if (!watcher_) return;
  watcher_->Kill();
  KeepLog("watcher#" + std::to_string(watcher_runs_), watcher_->Log());
  watcher_.reset();
}

void Farm::StartWatcher() {
  if (watcher_) return;
  testing::WatcherSetup w{incoming_, repo_, "cbit", webs_[0].port, 1};
  if (webs_.size() > 1) w.controller_urls = ControllerUrls();
  watcher_.emplace(w);
  ++watcher_runs_;
}

void Farm::KillClient(int i) {
  auto& c = clients_.at(static_cast<std::size_t>(i));
  if (!c) return;
  c->Kill();
  KeepLog(ClientId(i) + "#" + std::to_string(client_runs_.at(static_cast<std::size_t>(i))),
          c->Log());
  c.reset();
}

void Farm::StartClient(int i) {
  auto& c = clients_.at(static_cast<std::size_t>(i));
  if (c) return;
  ++client_runs_.at(static_cast<std::size_t>(i));
  testing::ClientSetup s;
  s.clientid = ClientId(i);
  s.suites = {options_.suite};
  s.controller_port = webs_[0].port;
  if (webs_.size() > 1) s.controller_urls = ControllerUrls();
  s.amqp_port = cluster_ ? cluster_->node(0).port() : rabbit_->port();
  if (cluster_)
    s.extra_config = nlohmann::json{{"host", BrokerAddresses()}, {"queue_type", "quorum"}}.dump();
  s.incoming = incoming_;
  s.lease_renew_seconds = 1;
  s.heartbeat_seconds = 1;
  s.log_level = "info";
  c = std::make_unique<testing::ClientProcess>(s);
}

void Farm::FreezeClient(int i) {
  if (auto& c = clients_.at(static_cast<std::size_t>(i))) SignalTree(c->pid(), SIGSTOP);
}

void Farm::ThawClient(int i) {
  if (auto& c = clients_.at(static_cast<std::size_t>(i))) SignalTree(c->pid(), SIGCONT);
}

void Farm::KeepLog(const std::string& label, std::string log) {
  logs_.emplace_back(label, std::move(log));
}

std::vector<std::string> Farm::LogLinesWith(const std::vector<std::string>& needles,
                                            std::size_t max_lines) const {
  std::vector<std::string> out;
  for (const auto& [label, text] : logs_) {
    std::istringstream lines(text);
    for (std::string line; std::getline(lines, line);) {
      if (std::any_of(needles.begin(), needles.end(),
                      [&](const std::string& n) { return line.find(n) != std::string::npos; })) {
        out.push_back(label + ": ");
        out.back() += line;
      }
    }
  }
  if (out.size() > max_lines)
    out.erase(out.begin(), out.end() - static_cast<std::ptrdiff_t>(max_lines));
  return out;
}

std::unique_ptr<httplib::Client> Farm::Admin(int i) const {
  auto c =
      std::make_unique<httplib::Client>("127.0.0.1", webs_.at(static_cast<std::size_t>(i)).port);
  c->set_basic_auth(testing::kAdminUser, testing::kAdminPassword);
  c->set_keep_alive(true);
  c->set_connection_timeout(2, 0);
  c->set_read_timeout(20, 0);
  return c;
}

std::unique_ptr<store::Database> Farm::OpenDatabase() const {
  if (postgres_) return store::OpenPostgres({.conninfo = conninfo_, .pool_size = 1});
  return store::OpenSqlite({.path = webs_[0].dir + "/cbit.db", .pool_size = 1});
}

}  // namespace cbit::chaos
