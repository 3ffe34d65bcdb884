#include "journal/sink.h"

#include <sys/uio.h>
#include <systemd/sd-journal.h>

#include <cstdio>

namespace cbit::journal {

int Priority(spdlog::level::level_enum level) {
  switch (level) {
    case spdlog::level::trace:
    case spdlog::level::debug:
      return 7;
    case spdlog::level::info:
      return 6;
    case spdlog::level::warn:
      return 4;
    case spdlog::level::err:
      return 3;
    case spdlog::level::critical:
      return 2;
    default:
      return 6;
  }
}

std::vector<std::string> BuildFields(std::string_view identifier, spdlog::level::level_enum level,
                                     std::string_view message, const LogFields& fields) {
  std::vector<std::string> out;
  out.push_back("MESSAGE=" + std::string(message));
  out.push_back("PRIORITY=" + std::to_string(Priority(level)));
  out.push_back("SYSLOG_IDENTIFIER=" + std::string(identifier));
  if (fields.job_id) out.push_back("JOB_ID=" + std::to_string(*fields.job_id));
  if (!fields.client.empty()) out.push_back("CLIENT=" + fields.client);
  if (!fields.route.empty()) out.push_back("ROUTE=" + fields.route);
  return out;
}

// The native protocol takes a value with newlines as is (sd_journal_sendv
// frames it), so a multi-line message stays one entry.
int SendToJournal(const std::vector<std::string>& fields) {
  std::vector<iovec> iov;
  iov.reserve(fields.size());
  for (const auto& f : fields)
    iov.push_back(
        {const_cast<char*>(f.data()), f.size()});  // NOLINT(cppcoreguidelines-pro-type-const-cast)
  return sd_journal_sendv(iov.data(), static_cast<int>(iov.size()));
}

void JournalSink::sink_it_(const spdlog::details::log_msg& msg) {
  std::string_view text(msg.payload.data(), msg.payload.size());
  if (writer_(BuildFields(identifier_, msg.level, text, CurrentFields())) < 0) {
    // The journal is gone (journald restarting): the line is not lost.
    std::fprintf(stderr, "%.*s\n", static_cast<int>(text.size()), text.data());
  }
}

}  // namespace cbit::journal
