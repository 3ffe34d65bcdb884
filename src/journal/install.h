// Under systemd a daemon's stderr is a stream to journald, named by
// JOURNAL_STREAM ("<device>:<inode>"); then its log goes to the journal
// natively, with fields, instead of as lines of text.
#pragma once

#include <string>
#include <string_view>

namespace cbit::journal {

/// Whether JOURNAL_STREAM (`env`, null when unset) names the file open on
/// `fd`.
bool IsJournalStream(const char* env, int fd);

/// When stderr or stdout is the journal's stream, replaces the default
/// logger's sinks with a JournalSink as `identifier`; returns whether it did.
bool UseJournalIfConnected(const std::string& identifier);

}  // namespace cbit::journal
