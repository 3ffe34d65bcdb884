// The daemon's test bench: a broker in memory, a fake publisher, a fake
// controller and a scripted runner, shared by daemon_test.cc and
// daemon_parallel_test.cc.
#pragma once
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <filesystem>
#include <mutex>
#include <thread>

#include "client/daemon.h"
#include "client/decide.h"
#include "client/fake_controller_api.h"
#include "core/wire.h"
#include "queue/fake_consumer.h"
#include "queue/fake_publisher.h"
#include "testing/test_dir.h"

namespace cbit::client::daemon_testing {
namespace fs = std::filesystem;
using namespace std::chrono_literals;

inline constexpr const char* kClient = "build_client_test";
inline constexpr const char* kQueue = "Debian_amd64_chickpea_deb";
inline constexpr Id kJob = 7;

// Commands succeed at once, except dpkg-buildpackage: it answers `build`, or
// while held runs until cancelled or released. Nothing runs, so the steps
// skip their checks of the files a command makes.
class ScriptedRunner final : public Runner {
 public:
  CommandResult Run(const Command& cmd, const LogSink& sink, const CancelHook& cancel) override {
    CommandResult ok;
    ok.exit_code = 0;
    std::unique_lock lock(mu_);
    argvs_.push_back(cmd.argv);
    if (cmd.argv.front() != "dpkg-buildpackage") return ok;
    building_ = true;
    ++active_;
    max_active_ = std::max(max_active_, active_);
    cv_.notify_all();
    while (hold_) {
      if (cancel.requested && cancel.requested()) {
        --active_;
        CommandResult stopped;
        stopped.exit_code = 130;
        stopped.cancelled = true;
        return stopped;
      }
      cv_.wait_for(lock, 5ms);
    }
    --active_;
    return build_;
  }
  bool RunsCommands() const override { return false; }

  void Hold() {
    std::lock_guard lock(mu_);
    hold_ = true;
  }
  void Release() {
    std::lock_guard lock(mu_);
    hold_ = false;
    cv_.notify_all();
  }
  void Answer(CommandResult r) {
    std::lock_guard lock(mu_);
    build_ = std::move(r);
  }
  bool WaitBuilding() {
    std::unique_lock lock(mu_);
    return cv_.wait_for(lock, 10s, [&] { return building_; });
  }
  /// Waits until `n` builds run at once.
  bool WaitBuilding(int n) {
    std::unique_lock lock(mu_);
    return cv_.wait_for(lock, 10s, [&] { return active_ >= n; });
  }
  /// Builds running now, and the most that ran at once.
  int active() {
    std::lock_guard lock(mu_);
    return active_;
  }
  int max_active() {
    std::lock_guard lock(mu_);
    return max_active_;
  }
  bool built() {
    std::lock_guard lock(mu_);
    return building_;
  }
  /// The argv of every command run so far.
  std::vector<std::vector<std::string>> argvs() {
    std::lock_guard lock(mu_);
    return argvs_;
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  bool hold_ = false, building_ = false;
  int active_ = 0, max_active_ = 0;
  CommandResult build_{.exit_code = 0};
  std::vector<std::vector<std::string>> argvs_;
};

class DaemonTest : public ::testing::Test {
 protected:
  DaemonTest() {
    config_.clientid = kClient;
    config_.host_arch = "amd64";
    config_.distribution = "Debian";
    config_.pkg_format = "deb";
    config_.suites = {"chickpea"};
    config_.buildroot = (root_ / "build").string();
    config_.build.kind = BuilderKind::kHost;
    config_.dput_dest = "incoming";
    config_.dput_config = (root_ / "dput.cf").string();
    config_.retry_base = 30s;
    config_.retry_max = 120s;
    // Messages are the controller's, signed as cbit-web signs them.
    broker_.SignWith(key_);
    api_.SetSigningKeys({key_.public_key});
  }
  ~DaemonTest() override { Stop(); }

  void Start() {
    daemon_ = std::make_unique<Daemon>(
        config_, api_, runner_, publisher_, [this] { return broker_.Connect(); },
        [this] { return stop_.load(); });
    thread_ = std::thread([this] { daemon_->Run(); });
  }
  void Stop() {
    stop_ = true;
    runner_.Release();
    if (thread_.joinable()) thread_.join();
  }
  static Job TestJob(Id id, const std::string& arch = "amd64") {
    Job job;
    job.id = id;
    auto& pi = job.instance;
    pi.package = {1, "hello-cbit", "1.0"};
    pi.arch.name = arch;
    pi.suite.name = "chickpea";
    pi.dist.name = "Debian";
    pi.format.name = "deb";
    return job;
  }
  static std::string Request(Id job, const std::string& arch = "amd64") {
    return wire::Encode(BuildRequest{TestJob(job, arch),
                                     {"git", "https://example.org/hello.git", "abc123"},
                                     "controller.example:8080",
                                     {}});
  }
  static std::string Cancel(Id job) {
    return wire::Encode(CancelRequest{TestJob(job), "controller.example:8080"});
  }
  bool Happened(const std::string& event) {
    for (const auto& e : broker_.events())
      if (e == event) return true;
    return false;
  }
  bool WaitHistory(Id job, const std::vector<std::string>& want) {
    for (auto until = std::chrono::steady_clock::now() + 10s;
         std::chrono::steady_clock::now() < until; std::this_thread::sleep_for(5ms)) {
      if (api_.History(job) == want) return true;
    }
    return false;
  }

  // With `jobs: 2`, jobs kJob and kJob + 1 building at once, held.
  void StartTwoHeldBuilds() {
    config_.jobs = 2;
    for (Id id : {kJob, kJob + 1}) {
      api_.AddJob(id, "Waiting");
      broker_.Put(kQueue, Request(id));
    }
    runner_.Hold();
    Start();
    ASSERT_TRUE(runner_.WaitBuilding(2));
  }

  testing::TestDir tmp_;
  const fs::path& root_ = tmp_.path();
  ClientConfig config_;
  const queue::SigningKey key_ = queue::NewSigningKey();
  FakeControllerApi api_;
  ScriptedRunner runner_;
  queue::FakePublisher publisher_;
  queue::FakeBroker broker_;
  std::atomic<bool> stop_{false};
  std::unique_ptr<Daemon> daemon_;
  std::thread thread_;
};

}  // namespace cbit::client::daemon_testing
