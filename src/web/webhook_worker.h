// Turns forge push events into submissions off the HTTP thread. A push is
// stored in the database (store/webhook_pushes.h) before the route answers
// 202; one worker thread takes stored pushes in order, keeps a git mirror of
// each repository under cache_dir (clone --mirror, then fetch), finds the
// packages whose changelog changed in before..after exactly as the git hook
// does (src/source/vcs.h), and calls the controller's Submit in process. A
// push is deleted once handled; one whose mirror cannot be updated is tried
// again with a doubling delay, and given up (kept with its error) after
// max_attempts tries. Pushes left by a controller that stopped or died are
// taken up at start. Mirrors unused for mirror_keep_days are deleted.
#pragma once

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>

#include "controller/controller.h"
#include "store/db.h"
#include "store/webhook_pushes.h"
#include "web/config.h"
#include "web/webhook_payload.h"

namespace cbit::web {

class WebhookWorker {
 public:
  /// Starts the thread, which first takes up the pushes an earlier run
  /// stored (the schema must be migrated by then).
  WebhookWorker(controller::Controller& controller, store::Database& db, WebhookConfig config);
  ~WebhookWorker();
  WebhookWorker(const WebhookWorker&) = delete;
  WebhookWorker& operator=(const WebhookWorker&) = delete;

  const WebhookConfig& config() const { return config_; }

  /// Stores a push (committed when it returns); false when queue_limit
  /// pushes are pending already. Throws store::DbError.
  bool Enqueue(const PushEvent& e);
  /// Stops after the push in progress; stored pushes wait for the next start.
  void Stop();

  /// The mirror directory of a clone URL: a readable name plus a hash.
  static std::string MirrorName(const std::string& clone_url);

 private:
  void Loop();
  /// Makes every stored push due now and unclaimed (store::WebhookPushes::Resume).
  void Resume();
  /// Claims and handles the next due push; false when none is due.
  bool HandleNext();
  void Handle(const PushEvent& e);
  /// At most once an hour: deletes mirrors unused for mirror_keep_days.
  void PruneUnusedMirrors();
  /// Clones or fetches the mirror of `url` (and marks it used); returns its directory.
  std::string UpdateMirror(const std::string& url);

  controller::Controller& controller_;
  store::WebhookPushes pushes_;
  WebhookConfig config_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;
  bool woken_ = false;  ///< a push was stored since the worker last looked
  std::chrono::system_clock::time_point next_prune_;  ///< the worker thread's only
  std::thread thread_;
};

}  // namespace cbit::web
