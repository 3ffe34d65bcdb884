// An spdlog sink that sends each line to the systemd journal with fields
// (PRIORITY, SYSLOG_IDENTIFIER, and JOB_ID, CLIENT, ROUTE where the thread's
// LogFields know them), instead of as text on a stream journald reads
// without them. The writer is a seam: the real one is sd_journal_sendv.
#pragma once

#include <spdlog/details/log_msg.h>
#include <spdlog/sinks/base_sink.h>

#include <functional>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "journal/fields.h"

namespace cbit::journal {

/// Sends one entry, each field "NAME=value"; returns 0 or a negative errno.
using Writer = std::function<int(const std::vector<std::string>& fields)>;

/// syslog's priority (0 emerg … 7 debug) of an spdlog level.
int Priority(spdlog::level::level_enum level);

/// The fields of one entry: MESSAGE, PRIORITY, SYSLOG_IDENTIFIER, then
/// JOB_ID, CLIENT and ROUTE when set.
std::vector<std::string> BuildFields(std::string_view identifier, spdlog::level::level_enum level,
                                     std::string_view message, const LogFields& fields);

/// sd_journal_sendv of the fields.
int SendToJournal(const std::vector<std::string>& fields);

class JournalSink final : public spdlog::sinks::base_sink<std::mutex> {
 public:
  JournalSink(std::string identifier, Writer writer)
      : identifier_(std::move(identifier)), writer_(std::move(writer)) {}

 protected:
  void sink_it_(const spdlog::details::log_msg& msg) override;
  void flush_() override {}

 private:
  std::string identifier_;
  Writer writer_;
};

}  // namespace cbit::journal
