// ControllerEvents (cli/events.h): a reader thread keeps GET /events open
// and queues what it parses; Next() applies it to the states it knows. A
// dropped connection is opened again with Last-Event-ID, so the controller
// replays what was missed (or says `reset`: the states are read again).
#include <condition_variable>
#include <deque>
#include <mutex>
#include <nlohmann/json.hpp>
#include <set>
#include <stdexcept>
#include <thread>

#include "cli/controller.h"
#include "cli/events.h"
#include "cli/job_view.h"
#include "http/controller_client.h"
#include "http/sse_parser.h"

namespace cbit::cli {
namespace {

using namespace std::chrono_literals;

// The controller sends a keep-alive comment every 20 s by default: a stream
// silent for three times that is taken as dead and opened again.
constexpr auto kReadTimeout = 60s;
constexpr auto kReconnectDelay = 1s;
constexpr auto kReadyWait = 10s;
// The controller's limit on the values of one filter.
constexpr std::size_t kMaxJobFilter = 100;

class ServerEvents : public EventStream {
 public:
  ServerEvents(Context& ctx, std::vector<std::int64_t> jobs, std::chrono::milliseconds wait)
      : ctx_(ctx),
        jobs_(std::move(jobs)),
        wanted_(jobs_.begin(), jobs_.end()),
        wait_(wait),
        read_(ControllerStates(ctx)) {
    const Settings& s = ctx.settings();
    auto split = http::SplitControllerUrl(s.url);
    path_ = split.prefix + "/events";
    if (!jobs_.empty() && jobs_.size() <= kMaxJobFilter) {
      path_ += "?job=";
      for (std::size_t i = 0; i < jobs_.size(); ++i)
        path_ += (i ? "," : "") + std::to_string(jobs_[i]);
    }
    client_ = http::MakeControllerClient(split.origin, s.credentials, kReadTimeout, 5s);
  }

  ~ServerEvents() override {
    {
      std::lock_guard lock(mu_);
      stop_ = true;
    }
    cv_.notify_all();
    client_->stop();
    if (reader_.joinable()) reader_.join();
  }

  /// Opens the stream; false when the controller has none or refuses it
  /// (then nothing runs any more).
  bool Start() {
    reader_ = std::thread([this] { Read(); });
    std::unique_lock lock(mu_);
    cv_.wait_for(lock, kReadyWait, [this] { return ready_ || refused_; });
    return ready_;
  }

  std::vector<StatusEvent> Next() override {
    std::vector<StatusEvent> out;
    if (snapshot_due_) {
      snapshot_due_ = false;
      for (const auto& [id, s] : ReadStates(ctx_, read_, jobs_, known_)) Apply(id, s, out);
      if (!out.empty()) return out;
    }
    std::deque<http::SseEvent> got;
    {
      std::unique_lock lock(mu_);
      cv_.wait_for(lock, wait_, [this] { return !queue_.empty(); });
      got.swap(queue_);
    }
    for (const auto& e : got) Take(e, out);
    if (snapshot_due_) {
      snapshot_due_ = false;
      for (const auto& [id, s] : ReadStates(ctx_, read_, jobs_, known_)) Apply(id, s, out);
    }
    return out;
  }

 private:
  // The reader thread: one connection after another until stopped.
  void Read() {
    std::string last_id;
    while (!Stopping()) {
      http::SseParser parser;
      httplib::Headers headers{{"Accept", "text/event-stream"}};
      if (!last_id.empty()) headers.emplace("Last-Event-ID", last_id);
      int status = 0;
      client_->Get(
          path_, headers,
          [&](const httplib::Response& r) {
            status = r.status;
            return r.status == 200 && !Stopping();
          },
          [&](const char* data, std::size_t n) {
            try {
              parser.Feed({data, n}, [this](const http::SseEvent& e) { Queue(e); });
            } catch (const std::length_error&) {
              return false;  // a runaway event: drop the connection, open it again
            }
            return !Stopping();
          });
      if (!parser.last_id().empty()) last_id = parser.last_id();
      std::unique_lock lock(mu_);
      if (!ready_ && status != 0 && status != 200) {
        // No stream here (an older controller) or not for us: polling
        // reports the controller's own answer.
        refused_ = true;
        cv_.notify_all();
        return;
      }
      if (cv_.wait_for(lock, kReconnectDelay, [this] { return stop_; })) return;
    }
  }

  void Queue(const http::SseEvent& e) {
    std::lock_guard lock(mu_);
    if (e.name == "ready") ready_ = true;
    if (e.name == "status" || e.name == "created" || e.name == "reset") queue_.push_back(e);
    cv_.notify_all();
  }

  bool Stopping() {
    std::lock_guard lock(mu_);
    return stop_;
  }

  // A job event changes what is known when it is newer than the state read
  // (the stream and the reads overlap just after a (re)connection).
  void Take(const http::SseEvent& e, std::vector<StatusEvent>& out) {
    if (e.name == "reset") {
      snapshot_due_ = true;
      return;
    }
    auto d = nlohmann::json::parse(e.data, nullptr, false);
    if (!d.is_object() || !d.contains("job") || !d["job"].is_number_integer() ||
        !d.contains("status") || !d["status"].is_string())
      return;
    std::int64_t id = d["job"].get<std::int64_t>();
    if (!wanted_.empty() && !wanted_.count(id)) return;
    std::string time = d.contains("time") && d["time"].is_string() ? d["time"] : "";
    auto k = known_.find(id);
    if (k != known_.end() && !k->second.time.empty() && time < k->second.time) return;
    Apply(id, {d["status"].get<std::string>(), time}, out);
  }

  void Apply(std::int64_t id, const JobState& s, std::vector<StatusEvent>& out) {
    JobState& known = known_[id];
    if (known.status == s.status) {
      if (known.time.empty()) known.time = s.time;
      return;
    }
    known = s;
    out.push_back({id, s.status, s.time});
  }

  Context& ctx_;
  std::vector<std::int64_t> jobs_;
  std::set<std::int64_t> wanted_;
  std::chrono::milliseconds wait_;
  StateSource read_;
  std::string path_;
  std::unique_ptr<httplib::Client> client_;
  std::map<std::int64_t, JobState> known_;
  bool snapshot_due_ = true;

  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<http::SseEvent> queue_;  ///< job events and resets, in stream order
  bool ready_ = false, refused_ = false, stop_ = false;
  std::thread reader_;
};

}  // namespace

std::unique_ptr<EventStream> ControllerEvents(Context& ctx, std::vector<std::int64_t> jobs,
                                              std::chrono::milliseconds wait) {
  auto stream = std::make_unique<ServerEvents>(ctx, jobs, wait);
  if (stream->Start()) return stream;
  stream.reset();
  return PollingEvents(ctx, std::move(jobs), wait);
}

}  // namespace cbit::cli
