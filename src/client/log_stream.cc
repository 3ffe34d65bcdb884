#include "client/log_stream.h"

#include <spdlog/spdlog.h>

#include <algorithm>

#include "core/utf8.h"

namespace cbit::client {

using Clock = std::chrono::steady_clock;

LogStream::LogStream(Poster post, Options opts)
    : post_(std::move(post)), opts_(opts), sender_([this] { Run(); }) {}

LogStream::~LogStream() {
  if (sender_.joinable()) Close(Clock::now() + std::chrono::seconds(5));
}

void LogStream::Write(std::string_view text) {
  std::lock_guard lock(mu_);
  if (given_up_ || closing_) return;
  std::string all = carry_ + std::string(text);
  std::size_t complete = utf8::CompletePrefix(all);
  carry_ = all.substr(complete);
  if (truncated_) return;
  if (pending_.size() + complete > opts_.max_pending) {
    truncated_ = true;
    pending_ += "\n[cbit-client: log cut here: the controller did not take it in time]\n";
  } else {
    pending_ += utf8::Sanitize(std::string_view(all).substr(0, complete));
  }
  if (pending_.size() >= opts_.batch) wake_.notify_one();
}

bool LogStream::Close(Clock::time_point deadline) {
  {
    std::lock_guard lock(mu_);
    if (!sender_.joinable()) return pending_.empty();
    if (!carry_.empty() && !truncated_) pending_ += utf8::Sanitize(carry_);
    carry_.clear();
    closing_ = true;
    deadline_ = deadline;
  }
  wake_.notify_one();
  sender_.join();
  std::lock_guard lock(mu_);
  return pending_.empty() && !given_up_;
}

std::int64_t LogStream::sent() const {
  std::lock_guard lock(mu_);
  return offset_;
}

void LogStream::Run() {
  auto backoff = opts_.interval;
  std::unique_lock lock(mu_);
  for (;;) {
    wake_.wait_for(lock, opts_.interval,
                   [&] { return closing_ || pending_.size() >= opts_.batch; });
    if (given_up_ || (closing_ && (pending_.empty() || Clock::now() >= deadline_))) return;
    if (pending_.empty()) continue;
    std::string chunk =
        pending_.substr(0, utf8::CompletePrefix(std::string_view(pending_).substr(0, 1 << 20)));
    std::optional<int> attempt = attempt_;
    std::int64_t offset = offset_;
    lock.unlock();
    std::optional<LogAck> ack;
    std::optional<ApiError> error;
    try {
      ack = post_(attempt, offset, chunk);
    } catch (const ApiError& e) {
      error = e;
    }
    lock.lock();
    if (ack) {
      // The controller took the whole chunk: stored it, skipped the part
      // it had already (a retry after a lost answer), or dropped what is
      // past its limit. Its length says where the log ends now.
      pending_.erase(0, chunk.size());
      offset_ = ack->length;
      attempt_ = ack->attempt;
      backoff = opts_.interval;
    } else if (!error->retryable()) {
      spdlog::warn("log: the controller refused a chunk, the rest of this log is dropped: {}",
                   error->what());
      given_up_ = true;
      pending_.clear();
    } else {
      spdlog::debug("log: {} (retrying)", error->what());
      backoff = std::min(backoff * 2, opts_.max_backoff);
      auto until = Clock::now() + backoff;
      if (closing_) until = std::min(until, deadline_);
      wake_.wait_until(lock, until, [] { return false; });
    }
  }
}

}  // namespace cbit::client
