#include "bench/bench.h"

#include <algorithm>
#include <cstdio>
#include <map>
#include <mutex>
#include <thread>

#include "core/wire.h"
#include "queue/consumer.h"
#include "tests/support/fixture.h"
#include "tests/support/postgres.h"
#include "tests/support/rabbitmq.h"

namespace cbit::bench {

using std::chrono::duration;
using std::chrono::milliseconds;

void Bench::Seed(const std::vector<std::string>& suites) {
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

double Bench::Submit(int conns, double seconds, std::int64_t count) {
  std::atomic<std::int64_t> done{0}, errors{0};
  std::atomic<int> last_error{0};
  std::atomic<bool> stop{false};
  auto start = Clock::now();
  std::vector<std::thread> threads;
  threads.reserve(static_cast<std::size_t>(conns));
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

std::vector<double> Bench::ListJobs(int times) {
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

double Bench::GetJobRate(int conns, double seconds, std::int64_t ids,
                         std::vector<double>* latency_ms) {
  const std::int64_t range = std::max<std::int64_t>(ids > 0 ? ids : jobs_, 1);
  std::atomic<std::int64_t> done{0}, errors{0};
  std::atomic<int> last_error{0};
  std::vector<std::vector<double>> latencies(static_cast<std::size_t>(conns));
  auto start = Clock::now();
  std::vector<std::thread> threads;
  threads.reserve(static_cast<std::size_t>(conns));
  for (int t = 0; t < conns; ++t) {
    threads.emplace_back([&, t] {
      auto c = Connect(port_);
      auto& mine = latencies[static_cast<std::size_t>(t)];
      std::int64_t i = t;
      while (duration<double>(Clock::now() - start).count() < seconds) {
        auto t0 = Clock::now();
        auto r = c->Get("/job/" + std::to_string(1 + (i++ * 7919) % range));
        if (r && r->status == 200) {
          ++done;
          mine.push_back(duration<double, std::milli>(Clock::now() - t0).count());
        } else {
          ++errors;
          last_error = r ? r->status : -static_cast<int>(r.error());
        }
      }
    });
  }
  for (auto& th : threads) th.join();
  gets_ += done;
  if (errors)
    std::printf("  (%lld failed GET /job/<id>, last: %d)\n", (long long)errors.load(),
                last_error.load());
  if (latency_ms)
    for (auto& v : latencies) latency_ms->insert(latency_ms->end(), v.begin(), v.end());
  return done / duration<double>(Clock::now() - start).count();
}

void Bench::Latency(const queue::AmqpOptions& amqp, int n, std::vector<double>& answer_ms,
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

std::unique_ptr<Web> StartWeb(const std::string& backend, const std::string& part,
                              bool wait_for_confirm, const std::string& binary) {
  std::string dir = testing::ScratchDir("bench-" + backend + "-" + part);
  std::string db = backend == "sqlite" ? dir + "/cbit.db" : testing::FreshPostgresDatabase();
  return std::make_unique<Web>(dir, backend, db, testing::SharedRabbit().options(),
                               wait_for_confirm, binary);
}

}  // namespace cbit::bench
