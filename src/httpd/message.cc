#include "httpd/message.h"

#include <strings.h>

namespace cbit::httpd {

bool LessIgnoreCase::operator()(const std::string& a, const std::string& b) const {
  return strcasecmp(a.c_str(), b.c_str()) < 0;
}

std::string Request::get_header_value(const std::string& key) const {
  auto it = headers.find(key);
  return it == headers.end() ? std::string() : it->second;
}

std::string Request::get_param_value(const std::string& key) const {
  auto it = params.find(key);
  return it == params.end() ? std::string() : it->second;
}

void Response::set_header(const std::string& key, const std::string& value) {
  headers.erase(key);
  headers.emplace(key, value);
}

std::string Response::get_header_value(const std::string& key) const {
  auto it = headers.find(key);
  return it == headers.end() ? std::string() : it->second;
}

void Response::set_content(std::string content, const std::string& content_type) {
  body = std::move(content);
  set_header("Content-Type", content_type);
}

void Response::set_producer(const std::string& content_type, Producer p) {
  producer = std::move(p);
  set_header("Content-Type", content_type);
}

std::shared_ptr<PushStream> Response::start_push(const std::string& content_type) {
  push = std::make_shared<PushStream>();
  set_header("Content-Type", content_type);
  return push;
}

// The writer only posts to the connection's strand, so calling it under the
// lock is cheap and keeps the pieces in the order they were sent.
bool PushStream::Send(std::string data) {
  std::lock_guard lock(mu_);
  if (closed_) return false;
  if (writer_) {
    writer_(std::move(data));
  } else {
    pending_.push_back(std::move(data));
  }
  return true;
}

void PushStream::Close() {
  std::lock_guard lock(mu_);
  if (closed_) return;
  closed_ = true;
  if (writer_) writer_(std::nullopt);
  writer_ = nullptr;
}

bool PushStream::closed() const {
  std::lock_guard lock(mu_);
  return closed_;
}

void PushStream::Attach(Writer writer) {
  std::lock_guard lock(mu_);
  for (auto& p : pending_) writer(std::move(p));
  pending_.clear();
  if (closed_) {
    writer(std::nullopt);
  } else {
    writer_ = std::move(writer);
  }
}

void PushStream::Detach() {
  std::lock_guard lock(mu_);
  closed_ = true;
  writer_ = nullptr;
  pending_.clear();
}

}  // namespace cbit::httpd
