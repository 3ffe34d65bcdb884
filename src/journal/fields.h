// What a log line is about, for the journal's structured fields: the job,
// the build client, the controller's HTTP route. Set where they are known
// (a job's thread, a request's handler) for the scope of that work, and read
// by the journal sink; no log call passes them itself.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace cbit::journal {

struct LogFields {
  std::optional<std::int64_t> job_id;
  std::string client;
  std::string route;
};

/// This thread's fields over the process's (SetProcessClient): a field this
/// thread has not set is the process's.
LogFields CurrentFields();

/// The build client this whole process is (cbit-client's clientid).
void SetProcessClient(std::string client);

/// Sets fields on this thread until destroyed, then restores what was set
/// before (scopes nest).
class ScopedFields {
 public:
  ScopedFields();
  ~ScopedFields();
  ScopedFields(const ScopedFields&) = delete;
  ScopedFields& operator=(const ScopedFields&) = delete;

  ScopedFields& Job(std::int64_t id);
  ScopedFields& Client(std::string client);
  ScopedFields& Route(std::string route);

 private:
  LogFields saved_;
};

}  // namespace cbit::journal
