// cbit-bench: the controller's speed on this machine, against real servers.
//
// Starts a private RabbitMQ node and (for postgres) a PostgreSQL cluster with
// synchronous commit, runs the real cbit-web binary against them, and drives
// it over keep-alive HTTP connections:
//   - POST /job/vcshook submissions/s at 1 and 8 connections, on an empty
//     database and with 100,000 jobs in it (every answer waits for the
//     database commit and the send to the broker; with --wait-for-confirm
//     for the broker's publisher confirm too);
//   - submission latency: POST sent → answered, and POST sent → the
//     BuildRequest delivered to a consumer of its queue (p50 / p99);
//   - GET /job with 10,000 jobs; GET /job/<id> requests/s at 8 connections.
// With --compare, only the submission rates on an empty database (1
// connection, then 8 with the CPU shares), for two cbit-web binaries in
// alternated runs (RunCompare).
// The empty-database rates and the latencies run on one database; the lists
// and the 100,000-job rates on a second, filled to exactly 10,000 jobs first.
// Each rate is measured three times; the median is printed. Targets (issue):
// ≥ 3,000/s on PostgreSQL (≥ 2,500/s at 100k jobs), ≥ 2,000/s on SQLite,
// latency ≤ 2 ms p50 / ≤ 25 ms p99, GET /job ≤ 100 ms, GET /job/<id> ≥ 20,000/s.
#include <algorithm>
#include <atomic>
#include <cstdio>
#include <map>
#include <mutex>

#include "bench/farm.h"
#include "core/wire.h"
#include "queue/consumer.h"
#include "tests/support/fixture.h"
#include "tests/support/postgres.h"
#include "tests/support/rabbitmq.h"

namespace cbit::bench {
namespace {

using std::chrono::duration;
using std::chrono::milliseconds;

class Bench {
 public:
  Bench(int port) : port_(port) {}

  void Seed(const std::vector<std::string>& suites) {
    auto c = Connect(port_);
    auto put = [&](const std::string& path, const std::string& body) { MustPut(*c, path, body); };
    put("/dist", "name=Debian");
    put("/format", "name=deb");
    put("/arch", "name=amd64");
    for (const auto& s : suites) {
      put("/suite", "name=" + s);
      put("/suitearch", "suite=" + s + "&arch=amd64&master_weight=1");
    }
  }

  // Submissions over `conns` keep-alive connections for `seconds`, or until
  // `count` submissions when count > 0. Returns submissions/s.
  double Submit(int conns, double seconds, std::int64_t count = 0) {
    std::atomic<std::int64_t> done{0}, errors{0};
    std::atomic<int> last_error{0};
    std::atomic<bool> stop{false};
    auto start = Clock::now();
    std::vector<std::thread> threads;
    for (int t = 0; t < conns; ++t) {
      threads.emplace_back([&] {
        auto c = Connect(port_);
        while (!stop) {
          std::int64_t n = next_name_++;
          if (count > 0 && n >= first_name_ + count) break;
          auto r = c->Post("/job/vcshook", SubmitBody("bench", "p" + std::to_string(n)),
                           "application/x-www-form-urlencoded");
          if (r && r->status == 200) {
            ++done;
          } else {
            ++errors;
            last_error = r ? r->status : -static_cast<int>(r.error());
          }
          if (count == 0 && duration<double>(Clock::now() - start).count() > seconds) stop = true;
        }
      });
    }
    for (auto& th : threads) th.join();
    first_name_ = next_name_.load();
    jobs_ += done;
    if (errors)
      std::printf("  (%lld failed submissions, last: %d)\n", (long long)errors.load(),
                  last_error.load());
    return done / duration<double>(Clock::now() - start).count();
  }

  std::int64_t jobs() const { return jobs_; }

  void FillTo(std::int64_t target) {
    if (jobs_ < target) Submit(8, 0, target - jobs_);
  }

  // GET /job (every job) sequentially; returns milliseconds per request.
  std::vector<double> ListJobs(int times) {
    auto c = Connect(port_);
    std::vector<double> ms;
    for (int i = 0; i < times; ++i) {
      auto t0 = Clock::now();
      auto r = c->Get("/job");
      if (!r || r->status != 200) throw std::runtime_error("GET /job failed");
      ms.push_back(duration<double, std::milli>(Clock::now() - t0).count());
      if (i == 0) list_bytes_ = r->body.size();
    }
    return ms;
  }
  std::size_t list_bytes() const { return list_bytes_; }

  double GetJobRate(int conns, double seconds) {
    std::atomic<std::int64_t> done{0};
    auto start = Clock::now();
    std::vector<std::thread> threads;
    for (int t = 0; t < conns; ++t) {
      threads.emplace_back([&, t] {
        auto c = Connect(port_);
        std::int64_t i = t;
        while (duration<double>(Clock::now() - start).count() < seconds) {
          auto r =
              c->Get("/job/" + std::to_string(1 + (i++ * 7919) % std::max<std::int64_t>(jobs_, 1)));
          if (r && r->status == 200) ++done;
        }
      });
    }
    for (auto& th : threads) th.join();
    gets_ += done;
    return done / duration<double>(Clock::now() - start).count();
  }
  std::int64_t gets() const { return gets_; }

  // POST → answer and POST → BuildRequest delivered to a consumer, one
  // connection, `n` submissions into the "latency" suite's queue.
  void Latency(const queue::AmqpOptions& amqp, int n, std::vector<double>& answer_ms,
               std::vector<double>& delivered_ms) {
    queue::AmqpConsumer consumer(amqp);
    const std::string q = "Debian_amd64_latency_deb";
    consumer.DeclareAndBind(q, "Debian.amd64.latency.deb");
    consumer.Consume(q, 1000);
    std::mutex mu;
    std::map<Id, Clock::time_point> sent, delivered;
    std::atomic<bool> stop{false};
    std::thread reader([&] {
      while (!stop) {
        auto d = consumer.Next(milliseconds(100));
        if (!d) continue;
        auto now = Clock::now();
        Id job = wire::DecodeBuildRequest(d->body).job.id;
        consumer.Ack(d->delivery_tag);
        std::lock_guard lock(mu);
        delivered[job] = now;
      }
    });
    auto c = Connect(port_);
    for (int i = 0; i < n; ++i) {
      auto t0 = Clock::now();
      auto r = c->Post("/job/vcshook", SubmitBody("latency", "l" + std::to_string(next_name_++)),
                       "application/x-www-form-urlencoded");
      auto t1 = Clock::now();
      if (!r || r->status != 200) continue;
      answer_ms.push_back(duration<double, std::milli>(t1 - t0).count());
      auto id_at = r->body.find('[');
      Id job = std::stoll(r->body.substr(id_at + 1));
      std::lock_guard lock(mu);
      sent[job] = t0;
    }
    first_name_ = next_name_.load();
    jobs_ += n;
    auto until = Clock::now() + std::chrono::seconds(10);
    while (Clock::now() < until) {
      {
        std::lock_guard lock(mu);
        if (delivered.size() >= sent.size()) break;
      }
      std::this_thread::sleep_for(milliseconds(10));
    }
    stop = true;
    reader.join();
    for (auto& [job, t0] : sent)
      if (auto it = delivered.find(job); it != delivered.end())
        delivered_ms.push_back(duration<double, std::milli>(it->second - t0).count());
  }

 private:
  int port_;
  std::atomic<std::int64_t> next_name_{0};
  std::int64_t first_name_ = 0;
  std::int64_t jobs_ = 0;
  std::int64_t gets_ = 0;
  std::size_t list_bytes_ = 0;
};

// cbit-web (`binary`, or the build tree's) on a fresh database of its own.
std::unique_ptr<Web> StartWeb(const std::string& backend, const std::string& part,
                              bool wait_for_confirm, const std::string& binary = "") {
  std::string dir = testing::ScratchDir("bench-" + backend + "-" + part);
  std::string db = backend == "sqlite" ? dir + "/cbit.db" : testing::FreshPostgresDatabase();
  return std::make_unique<Web>(dir, backend, db, testing::SharedRabbit().options(),
                               wait_for_confirm, binary);
}

}  // namespace

void RunControllerBench(const std::string& backend, int reps, double seconds, std::int64_t big,
                        bool wait_for_confirm) {
  auto& rabbit = testing::SharedRabbit();
  // Each part runs on a database of its own, so that the lists are measured
  // at exactly the size the targets name, whatever the rates before did.
  auto start_web = [&](const std::string& part) {
    return StartWeb(backend, part, wait_for_confirm);
  };
  std::printf("\n== %s (%s; answered after %s)\n", backend.c_str(),
              backend == "sqlite" ? "WAL, synchronous=FULL" : "synchronous_commit=on",
              wait_for_confirm ? "the broker's confirm" : "commit and send");
  // The median rate; at 8 connections, also where the CPU went per
  // submission (all repetitions together).
  std::string cpu;
  auto rate = [&](Bench& b, int conns) {
    std::vector<double> v;
    auto cpu0 = CpuSeconds();
    std::int64_t jobs0 = b.jobs();
    for (int i = 0; i < reps; ++i) v.push_back(b.Submit(conns, seconds));
    if (conns == 8) cpu = CpuPerOp(cpu0, CpuSeconds(), static_cast<double>(b.jobs() - jobs0));
    return Median(v);
  };
  {
    auto web = start_web("empty");
    Bench b(web->port());
    b.Seed({"bench", "latency"});
    double empty1 = rate(b, 1), empty8 = rate(b, 8);
    std::printf("vcshook, empty db     : %7.0f/s at 1 conn, %7.0f/s at 8 conns\n", empty1, empty8);
    std::printf("  CPU per submission at 8 conns (ms): %s\n", cpu.c_str());
    std::vector<double> answer, delivered;
    b.Latency(rabbit.options(), 2000, answer, delivered);
    std::printf("latency POST→answer   : p50 %.2f ms, p99 %.2f ms (%zu)\n", Percentile(answer, 0.5),
                Percentile(answer, 0.99), answer.size());
    std::printf("latency POST→consumer : p50 %.2f ms, p99 %.2f ms (%zu delivered)\n",
                Percentile(delivered, 0.5), Percentile(delivered, 0.99), delivered.size());
  }

  auto web = start_web("full");
  Bench b(web->port());
  b.Seed({"bench"});
  b.FillTo(10000);
  auto list = b.ListJobs(15);
  std::printf("GET /job, %lld jobs   : median %.1f ms, p90 %.1f ms (%zu bytes)\n",
              (long long)b.jobs(), Median(list), Percentile(list, 0.9), b.list_bytes());
  std::vector<double> gets;
  auto cpu0 = CpuSeconds();
  for (int i = 0; i < reps; ++i) gets.push_back(b.GetJobRate(8, seconds));
  std::printf("GET /job/<id>         : %7.0f/s at 8 conns\n", Median(gets));
  std::printf("  CPU per request (ms): %s\n",
              CpuPerOp(cpu0, CpuSeconds(), static_cast<double>(b.gets())).c_str());

  auto t0 = Clock::now();
  b.FillTo(big);
  std::printf("filled to %lld jobs in %.0f s\n", (long long)b.jobs(),
              duration<double>(Clock::now() - t0).count());
  double full1 = rate(b, 1), full8 = rate(b, 8);
  std::printf("vcshook, %lld jobs : %7.0f/s at 1 conn, %7.0f/s at 8 conns\n", (long long)b.jobs(),
              full1, full8);
  std::printf("  CPU per submission at 8 conns (ms): %s\n", cpu.c_str());
}

void RunCompare(const std::string& backend, const std::string& other, int rounds, double seconds) {
  const std::string binaries[2] = {std::string(CBIT_BINARY_DIR) + "/cbit-web", other};
  // Per binary: the rates, and each component's CPU per submission divided
  // by the load generator's.
  std::vector<double> rates[2], rates1[2];
  std::map<std::string, std::vector<double>> ratios[2];
  std::printf("\n== %s: A = %s, B = %s; 8 connections, empty database\n", backend.c_str(),
              binaries[0].c_str(), binaries[1].c_str());
  for (int round = 0; round < rounds; ++round) {
    for (int which = 0; which < 2; ++which) {
      auto web = StartWeb(backend, "compare", false, binaries[which]);
      Bench b(web->port());
      b.Seed({"bench"});
      b.Submit(8, 1);  // warm-up: connections, prepared statements, caches
      double alone = b.Submit(1, seconds / 2);
      rates1[which].push_back(alone);
      auto cpu0 = CpuSeconds();
      std::int64_t jobs0 = b.jobs();
      double rate = b.Submit(8, seconds);
      auto cpu1 = CpuSeconds();
      double ops = static_cast<double>(b.jobs() - jobs0);
      double load = std::max(cpu1["bench"] - cpu0["bench"], 1e-9);
      rates[which].push_back(rate);
      for (const auto& [name, sec] : cpu1) {
        if (name != "bench") ratios[which][name].push_back((sec - cpu0[name]) / load);
      }
      std::printf("%c round %d: %7.0f/s (1 conn: %.0f/s); CPU per submission (ms): %s\n",
                  "AB"[which], round + 1, rate, alone, CpuPerOp(cpu0, cpu1, ops).c_str());
    }
  }
  for (int which = 0; which < 2; ++which) {
    std::printf("%c median %7.0f/s (1 conn: %.0f/s); CPU per submission / load generator's:",
                "AB"[which], Median(rates[which]), Median(rates1[which]));
    for (const auto& [name, v] : ratios[which]) std::printf(" %s %.2f", name.c_str(), Median(v));
    std::printf("\n");
  }
  std::printf("B / A: rate %.3f (1 conn: %.3f)\n",
              Median(rates[1]) / std::max(Median(rates[0]), 1.0),
              Median(rates1[1]) / std::max(Median(rates1[0]), 1.0));
}

}  // namespace cbit::bench
