#include "journal/install.h"

#include <spdlog/spdlog.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cinttypes>
#include <cstdio>
#include <cstdlib>
#include <memory>

#include "journal/sink.h"

namespace cbit::journal {

bool IsJournalStream(const char* env, int fd) {
  if (!env) return false;
  std::uintmax_t dev = 0, ino = 0;
  char rest = 0;
  if (std::sscanf(env, "%" SCNuMAX ":%" SCNuMAX "%c", &dev, &ino, &rest) != 2) return false;
  struct stat st {};
  if (fstat(fd, &st) != 0) return false;
  return static_cast<std::uintmax_t>(st.st_dev) == dev &&
         static_cast<std::uintmax_t>(st.st_ino) == ino;
}

bool UseJournalIfConnected(const std::string& identifier) {
  const char* env = std::getenv("JOURNAL_STREAM");  // NOLINT(concurrency-mt-unsafe): at start-up
  if (!IsJournalStream(env, STDERR_FILENO) && !IsJournalStream(env, STDOUT_FILENO)) return false;
  auto logger = spdlog::default_logger();
  logger->sinks().clear();
  logger->sinks().push_back(std::make_shared<JournalSink>(identifier, SendToJournal));
  return true;
}

}  // namespace cbit::journal
