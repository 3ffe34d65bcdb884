#include "web/webhook_worker.h"

#include <sodium.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <filesystem>

#include "source/vcs.h"
#include "util/subprocess.h"
#include "web/mirror_prune.h"

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

// A claimed push is another controller's until this long after its claim:
// longer than a mirror update can take (two git commands at most).
constexpr std::chrono::minutes kClaim{2 * kGitTimeout + std::chrono::minutes(5)};
// How often the worker looks for due pushes when nothing woke it: retries
// come due, and other controllers of the database store pushes too.
constexpr std::chrono::seconds kPoll{1};
constexpr std::chrono::hours kMaxRetryDelay{1};
constexpr std::chrono::hours kPruneEvery{1};

std::int64_t NowUs() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

Forge ForgeNamed(const std::string& name) {
  if (name == "gitlab") return Forge::kGitLab;
  if (name == "gitea") return Forge::kGitea;
  return Forge::kGitHub;
}

}  // namespace

WebhookWorker::WebhookWorker(controller::Controller& controller, store::Database& db,
                             WebhookConfig config)
    : controller_(controller), pushes_(db), config_(std::move(config)) {
  thread_ = std::thread([this] { Loop(); });
}

void WebhookWorker::Resume() {
  // Until this succeeds, the claims of a controller that died wait for their
  // time to run out; a database that is down now is asked again.
  for (auto wait = std::chrono::seconds(1);; wait = std::min(wait * 2, std::chrono::seconds(60))) {
    try {
      pushes_.Resume(NowUs());
      if (std::int64_t n = pushes_.Pending(); n > 0)
        spdlog::info(
            "webhooks: {} stored push(es) waiting, from an earlier run or another controller", n);
      return;
    } catch (const std::exception& x) {
      spdlog::error("webhooks: cannot read the stored pushes: {}", x.what());
    }
    std::unique_lock lock(mu_);
    if (cv_.wait_for(lock, wait, [&] { return stopping_; })) return;
  }
}

WebhookWorker::~WebhookWorker() { Stop(); }

bool WebhookWorker::Enqueue(const PushEvent& e) {
  {
    std::lock_guard lock(mu_);
    if (stopping_) return false;
  }
  auto id = pushes_.Add({0, ForgeName(e.forge), e.clone_url, e.ref, e.before, e.after},
                        config_.queue_limit, NowUs());
  if (!id) return false;
  {
    std::lock_guard lock(mu_);
    woken_ = true;
  }
  cv_.notify_one();
  return true;
}

void WebhookWorker::Stop() {
  {
    std::lock_guard lock(mu_);
    if (stopping_ && !thread_.joinable()) return;
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void WebhookWorker::Loop() {
  Resume();
  for (;;) {
    {
      std::unique_lock lock(mu_);
      if (stopping_) return;
      woken_ = false;
    }
    bool handled = false;
    try {
      handled = HandleNext();
    } catch (const std::exception& x) {
      spdlog::error("webhooks: cannot read the stored pushes: {}", x.what());
    }
    if (handled) continue;
    PruneUnusedMirrors();
    std::unique_lock lock(mu_);
    cv_.wait_for(lock, kPoll, [&] { return stopping_ || woken_; });
  }
}

bool WebhookWorker::HandleNext() {
  std::int64_t now = NowUs();
  auto row = pushes_.Claim(now, now + std::chrono::microseconds(kClaim).count());
  if (!row) return false;
  PushEvent e{ForgeNamed(row->forge), row->clone_url, row->ref, row->before, row->after};
  try {
    Handle(e);
    pushes_.Done(row->id);
  } catch (const std::exception& x) {
    // Doubling from retry_seconds: a forge or network outage of a while.
    auto delay = std::chrono::seconds(config_.retry_seconds);
    for (int i = 1; i < row->attempts && delay < kMaxRetryDelay; ++i) delay *= 2;
    delay = std::min<std::chrono::seconds>(delay, kMaxRetryDelay);
    bool gave_up = pushes_.Failed(row->id, x.what(), config_.max_attempts,
                                  NowUs() + std::chrono::microseconds(delay).count(), NowUs());
    if (gave_up) {
      spdlog::error("webhooks: {} push of {} {} given up after {} tries: {}", row->forge,
                    e.clone_url, e.ref, row->attempts, x.what());
    } else {
      spdlog::warn("webhooks: {} push of {} {} (try {}), next try in {} s: {}", row->forge,
                   e.clone_url, e.ref, row->attempts, delay.count(), x.what());
    }
  }
  return true;
}

void WebhookWorker::PruneUnusedMirrors() {
  auto now = std::chrono::system_clock::now();
  if (config_.mirror_keep_days == 0 || now < next_prune_) return;
  next_prune_ = now + kPruneEvery;
  for (const std::string& name :
       PruneMirrors(config_.cache_dir, std::chrono::hours(24) * config_.mirror_keep_days, now))
    spdlog::info("webhooks: removed the mirror {}: unused for {} days", name,
                 config_.mirror_keep_days);
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
  // When it was last used, for PruneMirrors.
  std::error_code ec;
  fs::last_write_time(dir, fs::file_time_type::clock::now(), ec);
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
    } catch (const store::DbError&) {
      throw;  // the database, not the package: the push is tried again
    } catch (const std::exception& x) {
      spdlog::warn("webhooks: {} {}: {} {} not submitted: {}", e.clone_url, e.after, s.package,
                   s.version, x.what());
    }
  }
}

}  // namespace cbit::web
