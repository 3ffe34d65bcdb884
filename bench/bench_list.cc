// cbit-bench --list-rss: the controller's memory after whole-table lists.
// A database is filled with submissions; a fresh cbit-web on it then answers
// GET /job (every job, streamed) a few times, read to the end. Target
// (issue): VmRSS ≤ 64 MB after a list of 100,000 jobs.
#include <cstdio>
#include <thread>

#include "bench/bench.h"
#include "bench/memory.h"
#include "tests/support/fixture.h"
#include "tests/support/postgres.h"
#include "tests/support/rabbitmq.h"

namespace cbit::bench {
namespace {

using std::chrono::duration;
using std::chrono::milliseconds;

// GET /job read to the end and dropped; returns its bytes.
std::size_t ReadList(int port) {
  auto c = Connect(port);
  c->set_read_timeout(300, 0);
  std::size_t bytes = 0;
  auto r = c->Get("/job", [&](const char*, std::size_t n) {
    bytes += n;
    return true;
  });
  if (!r || r->status != 200) throw std::runtime_error("GET /job failed");
  return bytes;
}

}  // namespace

void RunListRss(const std::string& backend, std::int64_t jobs, int lists) {
  const auto& amqp = testing::SharedRabbit().options();
  std::string fill_dir = testing::ScratchDir("bench-" + backend + "-list");
  std::string db = backend == "sqlite" ? fill_dir + "/cbit.db" : testing::FreshPostgresDatabase();
  std::printf("\n== %s, memory after GET /job of %lld jobs\n", backend.c_str(), (long long)jobs);
  {
    Web filler(fill_dir, backend, db, amqp);
    Bench b(filler.port());
    b.Seed({"bench"});
    auto t0 = Clock::now();
    b.FillTo(jobs);
    std::printf("filled to %lld jobs in %.0f s; that cbit-web: %s\n", (long long)b.jobs(),
                duration<double>(Clock::now() - t0).count(),
                Describe(ReadMemory(filler.pid())).c_str());
  }
  // A fresh process: its peak is the lists', not the submissions'.
  Web web(testing::ScratchDir("bench-" + backend + "-list-fresh"), backend, db, amqp);
  std::printf("fresh cbit-web: %s\n", Describe(ReadMemory(web.pid())).c_str());
  RssSampler rss(web.pid(), milliseconds(50));
  for (int i = 0; i < lists; ++i) {
    auto t0 = Clock::now();
    std::size_t bytes = ReadList(web.port());
    double s = duration<double>(Clock::now() - t0).count();
    std::printf("GET /job #%d: %.1f MB in %.2f s; after it %s; sampled peak VmRSS %.1f MB\n", i + 1,
                static_cast<double>(bytes) / 1e6, s, Describe(ReadMemory(web.pid())).c_str(),
                rss.peak());
  }
  std::this_thread::sleep_for(milliseconds(1000));
  Memory m = ReadMemory(web.pid());
  std::printf("1 s later: %s (target: VmRSS ≤ 64 MB)\n", Describe(m).c_str());
}

}  // namespace cbit::bench
