#include "tests/support/client_e2e.h"

#include <filesystem>
#include <fstream>

#include "tests/support/databases.h"
#include "tests/support/fixture.h"
#include "tests/support/processes.h"
#include "tests/support/rabbitmq.h"
#include "util/subprocess.h"

namespace cbit::testing {

void ClientE2e::SetUp() {
  // Build queues outlive a test on the shared node: each test has its own.
  static int counter = 0;
  suite_ = "e2e" + std::to_string(++counter);
  scratch_ = std::filesystem::absolute(ScratchDir("e2e-" + suite_)).string();
  incoming_ = scratch_ + "/incoming";
  repository_ = scratch_ + "/repo";
  std::filesystem::create_directories(incoming_);
  std::filesystem::create_directories(repository_);
  publisher_ = queue::MakeAmqpPublisher(SharedRabbit().options(), 2);
  harness_ = std::make_unique<ControllerHarness>(
      OpenTestDatabase("sqlite"), *publisher_, "localhost:18080", web::WebhookConfig{}, repository_,
      false, [this](web::Config& c) { TuneController(c); });
  for (auto [path, body] : std::initializer_list<std::pair<std::string, std::string>>{
           {"/arch", "name=" + HostArch()}, {"/dist", "name=Debian"}, {"/format", "name=deb"}}) {
    auto r = harness_->admin().Put(path, body, "application/x-www-form-urlencoded");
    ASSERT_TRUE(r && r->status == 200) << path;
  }
  AddSuite(suite_);
}

void ClientE2e::AddSuite(const std::string& suite) {
  for (auto [path, body] : std::initializer_list<std::pair<std::string, std::string>>{
           {"/suite", "name=" + suite},
           {"/suitearch", "suite=" + suite + "&arch=" + HostArch() + "&master_weight=1"}}) {
    auto r = harness_->admin().Put(path, body, "application/x-www-form-urlencoded");
    ASSERT_TRUE(r && r->status == 200) << path << (r ? r->body : "");
  }
}

ClientSetup ClientE2e::Client(const std::string& clientid) const {
  ClientSetup s;
  s.clientid = clientid;
  s.suites = {suite_};
  s.controller_port = harness_->port();
  s.amqp_port = SharedRabbit().port();
  s.incoming = incoming_;
  // Each client signs in as production's do: a builder token bound to its
  // name, so the tests run under the role checks.
  s.token = harness_->AddToken(clientid, web::Role::kBuilder, clientid);
  return s;
}

Id ClientE2e::Submit(const PackageSpec& spec, const std::string& method, const std::string& uri,
                     const std::string& vcs_id, const std::string& arch_list) {
  auto r = harness_->admin().Post("/job/vcshook",
                                  FormBody({{"package", spec.name},
                                            {"package_version", spec.version},
                                            {"suite", spec.suite},
                                            {"distribution", "Debian"},
                                            {"architecture_list", arch_list},
                                            {"format", "deb"},
                                            {"method", method},
                                            {"uri", uri},
                                            {"vcs_id", vcs_id}}),
                                  "application/x-www-form-urlencoded");
  if (!r || r->status != 200) throw std::runtime_error("vcshook: " + (r ? r->body : "no answer"));
  auto jobs = harness_->store().ListJobs({.suite = spec.suite, .package = spec.name}, {});
  if (jobs.empty()) throw std::runtime_error("vcshook created no job");
  return jobs.back().id;
}

std::vector<std::string> ClientE2e::Statuses(Id job) {
  std::vector<std::string> out;
  for (const auto& h : harness_->store().JobHistoryOf(job)) out.push_back(h.status);
  return out;
}

bool ClientE2e::WaitFor(const std::function<bool()>& pred, std::chrono::seconds deadline) {
  return testing::WaitFor(pred, deadline);
}

bool ClientE2e::WaitForStatus(Id job, const std::string& status, std::chrono::seconds deadline) {
  return WaitFor([&] { return harness_->store().GetJob(job).status == status; }, deadline);
}

std::string ClientE2e::LogOf(Id job) {
  auto r = harness_->anon().Get("/job/" + std::to_string(job) + "/log");
  return r && r->status == 200 ? r->body : "";
}

bool ClientE2e::ProcessRuns(const std::string& text) {
  return RunCommand({.argv = {"pgrep", "-f", "--", text}}).exit_code == 0;
}

void FarmE2e::StartFarm(const std::string& client_prefix) {
  std::filesystem::create_directories(repository() + "/conf");
  std::filesystem::create_directories(scratch() + "/reprepro-tmp");
  std::ofstream(repository() + "/conf/distributions")
      << "Codename: " << suite() << "\nComponents: main\nArchitectures: " << HostArch()
      << " source\n";
  std::ofstream(repository() + "/conf/incoming")
      << "Name: cbit\nIncomingDir: " << incoming() << "\nTempDir: " << scratch()
      << "/reprepro-tmp\nAllow: " << suite() << "\nCleanup: unused_buildinfo_files\n";
  hook_config_ = scratch() + "/hook.json";
  std::ofstream(hook_config_) << R"({"url": "http://127.0.0.1:)" << harness().port()
                              << R"(", "token": ")"
                              << harness().AddToken("hook", web::Role::kSubmitter) << R"("})";
  watcher_ = std::make_unique<WatcherProcess>(
      WatcherSetup{incoming(), repository(), "cbit", harness().port(), 1,
                   harness().AddToken("watcher", web::Role::kWatcher)});
  ClientSetup client = Client(client_prefix + suite());
  client.token = harness().AddToken("client", web::Role::kBuilder, client.clientid);
  client_ = std::make_unique<ClientProcess>(client);
}

void FarmE2e::TearDown() {
  if (client_) {
    EXPECT_EQ(client_->Stop(), 0) << client_->Log();
  }
  if (watcher_) {
    EXPECT_EQ(watcher_->Stop(), 0) << watcher_->Log();
  }
}

}  // namespace cbit::testing
