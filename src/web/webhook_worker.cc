#include "web/webhook_worker.h"

#include <sodium.h>
#include <spdlog/spdlog.h>

#include <filesystem>

#include "source/vcs.h"
#include "util/subprocess.h"

namespace cbit::web {
namespace {

namespace fs = std::filesystem;

// Mirroring a big repository the first time can take a while; a hung remote
// must not stop the worker for good.
constexpr std::chrono::minutes kGitTimeout{15};

void Git(std::vector<std::string> args) {
  Command cmd;
  // ext:: URLs would run a command; refuse them whatever the system's git says.
  cmd.argv = {"git", "-c", "protocol.ext.allow=never"};
  cmd.argv.insert(cmd.argv.end(), args.begin(), args.end());
  cmd.timeout = kGitTimeout;
  cmd.env = {"GIT_TERMINAL_PROMPT=0"};
  CommandResult r = RunCommand(cmd);
  if (!r.ok()) {
    throw source::VcsError(
        DescribeArgv(cmd.argv) +
        (r.timed_out ? " timed out" : " exited with " + std::to_string(r.exit_code)) + ": " +
        r.output);
  }
}

}  // namespace

WebhookWorker::WebhookWorker(controller::Controller& controller, WebhookConfig config)
    : controller_(controller), config_(std::move(config)) {
  thread_ = std::thread([this] { Loop(); });
}

WebhookWorker::~WebhookWorker() { Stop(); }

bool WebhookWorker::Enqueue(PushEvent e) {
  {
    std::lock_guard lock(mu_);
    if (stopping_ || queue_.size() >= static_cast<std::size_t>(config_.queue_limit)) return false;
    queue_.push_back(std::move(e));
  }
  cv_.notify_one();
  return true;
}

void WebhookWorker::Stop() {
  {
    std::lock_guard lock(mu_);
    if (stopping_ && !thread_.joinable()) return;
    stopping_ = true;
    if (!queue_.empty())
      spdlog::warn("webhooks: {} queued push(es) dropped at shutdown", queue_.size());
    queue_.clear();
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void WebhookWorker::Loop() {
  for (;;) {
    PushEvent e;
    {
      std::unique_lock lock(mu_);
      cv_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
      if (stopping_) return;
      e = std::move(queue_.front());
      queue_.pop_front();
    }
    try {
      Handle(e);
    } catch (const std::exception& x) {
      spdlog::error("webhooks: {} push of {} {}: {}", ForgeName(e.forge), e.clone_url, e.ref,
                    x.what());
    }
  }
}

std::string WebhookWorker::MirrorName(const std::string& clone_url) {
  unsigned char h[16];
  crypto_generichash(h, sizeof h, reinterpret_cast<const unsigned char*>(clone_url.data()),
                     clone_url.size(), nullptr, 0);
  char hex[2 * sizeof h + 1];
  sodium_bin2hex(hex, sizeof hex, h, sizeof h);
  // The last path component, reduced to characters safe in a file name.
  std::string tail = clone_url;
  while (!tail.empty() && tail.back() == '/') tail.pop_back();
  tail =
      tail.substr(tail.find_last_of("/:") == std::string::npos ? 0 : tail.find_last_of("/:") + 1);
  std::string name;
  for (char c : tail.substr(0, 60))
    name +=
        (std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-' || c == '_') ? c : '_';
  if (name.empty() || name[0] == '.') name = "repo" + name;
  return name + "-" + hex;
}

std::string WebhookWorker::UpdateMirror(const std::string& url) {
  fs::path dir = fs::absolute(fs::path(config_.cache_dir) / MirrorName(url));
  if (fs::exists(dir / "HEAD")) {
    Git({"--git-dir=" + dir.string(), "fetch", "--prune", "--quiet", "origin"});
  } else {
    fs::create_directories(dir.parent_path());
    fs::remove_all(dir);  // a clone that died half-way
    Git({"clone", "--mirror", "--quiet", "--", url, dir.string()});
  }
  return dir.string();
}

void WebhookWorker::Handle(const PushEvent& e) {
  std::string mirror = UpdateMirror(e.clone_url);
  source::RefUpdate update{e.before, e.after, e.ref};
  for (const auto& f : source::GitChangedPackages(mirror, update)) {
    if (!f.meta) {
      spdlog::warn("webhooks: {} {} {}: not submitted: {}", e.clone_url, e.ref, e.after, f.problem);
      continue;
    }
    if (!f.dir.empty()) {
      spdlog::warn("webhooks: {} {}: skipped {}/: git packages are built from the repository root",
                   e.clone_url, e.ref, f.dir);
      continue;
    }
    controller::Submission s;
    s.package = f.meta->changelog.source;
    s.version = f.meta->changelog.version;
    s.suite = f.meta->changelog.suite;
    s.dist = config_.distribution;
    s.format = config_.format;
    s.arch_list = f.meta->arch_list;
    s.transport = {"git", e.clone_url, e.after};
    try {
      controller::Dispatch d = controller_.Submit(s);
      spdlog::info("webhooks: {} push {} {}: submitted {} {} ({} job(s))", ForgeName(e.forge),
                   e.clone_url, e.after, s.package, s.version, d.jobs.size());
    } catch (const std::exception& x) {
      spdlog::warn("webhooks: {} {}: {} {} not submitted: {}", e.clone_url, e.after, s.package,
                   s.version, x.what());
    }
  }
}

}  // namespace cbit::web
