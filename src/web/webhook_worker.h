// Turns forge push events into submissions off the HTTP thread: one worker
// thread takes pushes from an in-memory queue, keeps a git mirror of each
// repository under cache_dir (clone --mirror, then fetch), finds the
// packages whose changelog changed in before..after exactly as the git hook
// does (src/source/vcs.h), and calls the controller's Submit in process.
//
// A push still queued when cbit-web stops or dies is lost; forges show their
// deliveries and can redeliver one.
#pragma once

#include <condition_variable>
#include <deque>
#include <mutex>
#include <string>
#include <thread>

#include "controller/controller.h"
#include "web/config.h"
#include "web/webhook_payload.h"

namespace cbit::web {

class WebhookWorker {
 public:
  WebhookWorker(controller::Controller& controller, WebhookConfig config);
  ~WebhookWorker();
  WebhookWorker(const WebhookWorker&) = delete;
  WebhookWorker& operator=(const WebhookWorker&) = delete;

  const WebhookConfig& config() const { return config_; }

  /// Queues a push; false when the queue is full.
  bool Enqueue(PushEvent e);
  /// Stops after the push in progress; what is still queued is dropped (logged).
  void Stop();

  /// The mirror directory of a clone URL: a readable name plus a hash.
  static std::string MirrorName(const std::string& clone_url);

 private:
  void Loop();
  void Handle(const PushEvent& e);
  /// Clones or fetches the mirror of `url`; returns its directory.
  std::string UpdateMirror(const std::string& url);

  controller::Controller& controller_;
  WebhookConfig config_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<PushEvent> queue_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace cbit::web
