#include "journal/fields.h"

#include <mutex>

namespace cbit::journal {
namespace {

thread_local LogFields t_fields;  // NOLINT(cppcoreguidelines-avoid-non-const-global-variables)

std::mutex& ProcessMutex() {
  static std::mutex mu;
  return mu;
}
std::string& ProcessClient() {
  static std::string client;
  return client;
}

}  // namespace

LogFields CurrentFields() {
  LogFields f = t_fields;
  if (f.client.empty()) {
    std::lock_guard lock(ProcessMutex());
    f.client = ProcessClient();
  }
  return f;
}

void SetProcessClient(std::string client) {
  std::lock_guard lock(ProcessMutex());
  ProcessClient() = std::move(client);
}

ScopedFields::ScopedFields() : saved_(t_fields) {}

ScopedFields::~ScopedFields() { t_fields = std::move(saved_); }

ScopedFields& ScopedFields::Job(std::int64_t id) {
  t_fields.job_id = id;
  return *this;
}

ScopedFields& ScopedFields::Client(std::string client) {
  t_fields.client = std::move(client);
  return *this;
}

ScopedFields& ScopedFields::Route(std::string route) {
  t_fields.route = std::move(route);
  return *this;
}

}  // namespace cbit::journal
