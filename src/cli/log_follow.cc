#include "cli/log_follow.h"

#include "cli/exit_code.h"

namespace cbit::cli {
namespace {

// One poll, retried while the controller cannot be reached.
class Poller {
 public:
  Poller(const LogSource& source, const FollowOptions& o, std::ostream& err,
         const std::function<void(std::chrono::milliseconds)>& sleep)
      : source_(source), o_(o), err_(err), sleep_(sleep) {}

  LogChunk operator()(long long offset, int attempt) {
    auto waited = std::chrono::milliseconds(0);
    for (;;) {
      try {
        LogChunk c = source_(offset, attempt);
        if (lost_) err_ << "cbit: reconnected; following from byte " << offset << "\n";
        lost_ = false;
        return c;
      } catch (const CliError& e) {
        if (e.code != ExitCode::kUnreachable || waited >= o_.give_up) throw;
        if (!lost_) err_ << "cbit: " << e.what() << "; retrying\n";
        lost_ = true;
      }
      auto pause = std::chrono::milliseconds(500);
      sleep_(pause);
      waited += pause;
    }
  }

 private:
  const LogSource& source_;
  const FollowOptions& o_;
  std::ostream& err_;
  const std::function<void(std::chrono::milliseconds)>& sleep_;
  bool lost_ = false;
};

}  // namespace

FollowEnd FollowLog(const LogSource& source, const FollowOptions& o, std::ostream& out,
                    std::ostream& err,
                    const std::function<void(std::chrono::milliseconds)>& sleep) {
  Poller poll(source, o, err, sleep);
  long long offset = 0;
  int attempt = o.attempt;
  for (;;) {
    // Asked without an attempt, the answer says which is the latest; its
    // text is used only while that is still the one being followed.
    LogChunk c = poll(offset, 0);
    if (attempt == 0) attempt = c.attempt;
    if (attempt == 0 || c.attempt < attempt) {  // not built yet, or not this attempt yet
      if (c.finished) return {c.attempt, true};
      sleep(o.poll);
      continue;
    }
    if (c.attempt != attempt) {
      out << poll(offset, attempt).text << std::flush;
      return {attempt, false};
    }
    out << c.text << std::flush;
    offset += static_cast<long long>(c.text.size());
    if (c.finished) return {attempt, true};
    if (c.text.empty()) sleep(o.poll);
  }
}

}  // namespace cbit::cli
