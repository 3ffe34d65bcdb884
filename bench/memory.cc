#include "bench/memory.h"

#include <cstdio>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace cbit::bench {

Memory ReadMemory(int pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  if (!in) throw std::runtime_error("process " + std::to_string(pid) + " is gone");
  Memory m;
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream fields(line);
    std::string key;
    double kb = 0;
    if (!(fields >> key >> kb)) continue;
    double mb = kb / 1024;
    if (key == "VmRSS:") m.rss = mb;
    if (key == "VmHWM:") m.hwm = mb;
    if (key == "RssAnon:") m.rss_anon = mb;
    if (key == "RssFile:") m.rss_file = mb;
  }
  return m;
}

std::string Describe(const Memory& m) {
  char buf[128];
  std::snprintf(buf, sizeof buf, "VmRSS %.1f MB (anon %.1f, file %.1f), VmHWM %.1f MB", m.rss,
                m.rss_anon, m.rss_file, m.hwm);
  return buf;
}

RssSampler::RssSampler(int pid, std::chrono::milliseconds period) {
  thread_ = std::thread([this, pid, period] {
    while (!stop_) {
      try {
        double rss = ReadMemory(pid).rss;
        if (rss > peak_) peak_ = rss;
      } catch (const std::exception&) {
        return;  // the process ended; the peak so far stands
      }
      std::this_thread::sleep_for(period);
    }
  });
}

RssSampler::~RssSampler() {
  stop_ = true;
  thread_.join();
}

}  // namespace cbit::bench
