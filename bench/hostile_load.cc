#include "bench/hostile_load.h"

#include <time.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <mutex>
#include <thread>
#include <vector>

#include "httpd/asio.h"

namespace cbit::bench {
namespace net = boost::asio;
using boost::system::error_code;
using net::ip::tcp;
using std::chrono::milliseconds;

namespace {

constexpr auto kRetryAfter = milliseconds(1000);  // after a refusal or a failed connect
constexpr auto kTick = milliseconds(10);          // the junk senders' pacing
constexpr auto kMaxBacklog = milliseconds(100);   // what a late tick may make up
constexpr std::size_t kMaxWrite = 64 << 10;

const std::string& JunkBytes() {
  static const std::string junk(kMaxWrite, 'x');
  return junk;
}

// "HTTP/1.1 401 …" → 401; 0 when not a status line.
int StatusOf(std::string_view answer) {
  if (answer.size() < 12 || answer.substr(0, 5) != "HTTP/") return 0;
  return std::atoi(std::string(answer.substr(9, 3)).c_str());
}

}  // namespace

struct HostileLoad::Impl {
  explicit Impl(HostileOptions o) : options(std::move(o)) {}

  void SlowOpened() {
    int now = ++slow_open;
    int peak = slow_open_peak.load();
    while (now > peak && !slow_open_peak.compare_exchange_weak(peak, now)) {
    }
  }
  void Answered(int status) {
    std::lock_guard lock(mu);
    ++junk_answers[status];
  }
  void MeasureCpu() {
    timespec ts{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    cpu_seconds = static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
  }
  void CpuTimer(const std::shared_ptr<net::steady_timer>& t) {
    MeasureCpu();
    t->expires_after(milliseconds(250));
    t->async_wait([this, t](error_code ec) {
      if (!ec) CpuTimer(t);
    });
  }

  HostileOptions options;
  tcp::endpoint server;
  std::atomic<int> slow_open{0}, slow_open_peak{0};
  std::atomic<std::int64_t> slow_connects{0}, slow_refused{0}, slow_closed{0}, slow_failed{0};
  std::atomic<std::int64_t> junk_bytes{0}, junk_requests{0};
  std::atomic<double> cpu_seconds{0};
  mutable std::mutex mu;
  std::map<int, std::int64_t> junk_answers;
  // Destroyed before the counters: the pending handlers own the connections.
  net::io_context ioc;
  std::thread thread;
};

namespace {

using Impl = HostileLoad::Impl;

// A slowloris connection: a request line, then a header line every
// slow_line_every, never the blank line that ends the head.
class Slow : public std::enable_shared_from_this<Slow> {
 public:
  Slow(Impl& load, net::ip::address source)
      : load_(load), source_(std::move(source)), socket_(load.ioc), timer_(load.ioc) {}

  void Open() {
    const unsigned gen = ++gen_;
    error_code ec;
    socket_.open(tcp::v4(), ec);
    if (!ec) socket_.bind(tcp::endpoint(source_, 0), ec);
    if (ec) return Failed();
    socket_.async_connect(load_.server, [self = shared_from_this(), gen](error_code ec) {
      if (gen != self->gen_) return;
      if (ec) return self->Failed();
      ++self->load_.slow_connects;
      self->load_.SlowOpened();
      self->open_ = true;
      self->answered_ = false;
      self->lines_ = 0;
      self->Read(gen);
      self->Send(gen, "GET /job/1 HTTP/1.1\r\nHost: 127.0.0.1\r\n");
    });
  }

 private:
  void Send(unsigned gen, std::string text) {
    line_ = std::move(text);
    net::async_write(socket_, net::buffer(line_),
                     [self = shared_from_this(), gen](error_code ec, std::size_t) {
                       if (gen != self->gen_ || ec) return;  // the read sees the close
                       self->timer_.expires_after(self->load_.options.slow_line_every);
                       self->timer_.async_wait([self, gen](error_code ec) {
                         if (gen != self->gen_ || ec) return;
                         std::string n = std::to_string(++self->lines_);
                         self->Send(gen, "X-Slow-" + n + ": " + n + "\r\n");
                       });
                     });
  }

  void Read(unsigned gen) {
    socket_.async_read_some(
        net::buffer(buf_), [self = shared_from_this(), gen](error_code ec, std::size_t n) {
          if (gen != self->gen_) return;
          if (!ec) {
            if (!self->answered_ && StatusOf(std::string_view(self->buf_.data(), n)) == 503)
              ++self->load_.slow_refused;
            self->answered_ = true;
            return self->Read(gen);
          }
          self->Reset();
          if (self->answered_) return self->Later(kRetryAfter);
          ++self->load_.slow_closed;
          self->Open();
        });
  }

  void Failed() {
    ++load_.slow_failed;
    Reset();
    Later(kRetryAfter);
  }

  void Reset() {
    ++gen_;
    if (open_) --load_.slow_open;
    open_ = false;
    error_code ec;
    socket_.close(ec);
    timer_.cancel();
  }

  void Later(milliseconds after) {
    const unsigned gen = gen_;
    timer_.expires_after(after);
    timer_.async_wait([self = shared_from_this(), gen](error_code ec) {
      if (gen == self->gen_ && !ec) self->Open();
    });
  }

  Impl& load_;
  net::ip::address source_;
  tcp::socket socket_;
  net::steady_timer timer_;
  unsigned gen_ = 0;  // handlers of an earlier connection see a newer one and return
  bool open_ = false, answered_ = false;
  int lines_ = 0;
  std::string line_;
  std::array<char, 512> buf_{};
};

// One junk sender: a POST, its body paced at its share of the rate, then
// the next on a new connection.
class Junk : public std::enable_shared_from_this<Junk> {
 public:
  enum class Kind { kAnonymous, kAuthorized, kChunked };

  Junk(Impl& load, net::ip::address source, Kind kind, double bytes_per_second)
      : load_(load),
        source_(std::move(source)),
        kind_(kind),
        rate_(bytes_per_second),
        socket_(load.ioc),
        tick_(load.ioc) {}

  void Start() {
    Open();
    Tick();
  }

 private:
  static constexpr std::uint64_t kAnonymousBody = 8 << 20;
  static constexpr std::uint64_t kAuthorizedBody = 1 << 20;

  std::string Head() const {
    std::string h =
        "POST /job/vcshook HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        "Content-Type: application/x-www-form-urlencoded\r\n";
    if (kind_ != Kind::kAnonymous) h += "Authorization: " + load_.options.authorization + "\r\n";
    if (kind_ == Kind::kChunked) return h + "Transfer-Encoding: chunked\r\n\r\n";
    return h + "Content-Length: " + std::to_string(left_) + "\r\n\r\n";
  }

  void Open() {
    const unsigned gen = ++gen_;
    left_ = kind_ == Kind::kAnonymous ? kAnonymousBody : kAuthorizedBody;
    answered_ = ready_ = writing_ = false;
    error_code ec;
    socket_.open(tcp::v4(), ec);
    if (!ec) socket_.bind(tcp::endpoint(source_, 0), ec);
    if (ec) return Again(kRetryAfter);
    socket_.async_connect(load_.server, [self = shared_from_this(), gen](error_code ec) {
      if (gen != self->gen_) return;
      if (ec) return self->Again(kRetryAfter);
      ++self->load_.junk_requests;
      self->head_ = self->Head();
      self->writing_ = true;
      net::async_write(self->socket_, net::buffer(self->head_),
                       [self, gen](error_code ec, std::size_t) { self->Wrote(gen, ec, 0); });
      self->Read(gen);
    });
  }

  // Every tick adds the sender's share of the time since the last one to
  // its budget (timers fire late on a busy machine), up to kMaxBacklog's
  // worth: what a busy server did not take is not made up later.
  void Tick() {
    auto now = std::chrono::steady_clock::now();
    if (last_tick_.time_since_epoch().count() != 0) {
      const double limit = rate_ * std::chrono::duration<double>(kMaxBacklog).count();
      budget_ = std::min(budget_ + rate_ * std::chrono::duration<double>(now - last_tick_).count(),
                         limit);
    }
    last_tick_ = now;
    if (ready_ && !writing_ && budget_ >= 1) WriteBody();
    tick_.expires_after(kTick);
    tick_.async_wait([self = shared_from_this()](error_code ec) {
      if (!ec) self->Tick();
    });
  }

  void WriteBody() {
    std::size_t n = std::min<std::size_t>(static_cast<std::size_t>(budget_), kMaxWrite);
    if (kind_ != Kind::kChunked) n = std::min<std::uint64_t>(n, left_);
    if (n == 0) return;
    budget_ -= static_cast<double>(n);
    writing_ = true;
    const unsigned gen = gen_;
    auto done = [self = shared_from_this(), gen, n](error_code ec, std::size_t) {
      self->Wrote(gen, ec, n);
    };
    const auto body = net::buffer(JunkBytes().data(), n);
    if (kind_ != Kind::kChunked) return net::async_write(socket_, body, done);
    char size[32];
    chunk_head_.assign(size,
                       static_cast<std::size_t>(std::snprintf(size, sizeof size, "%zx\r\n", n)));
    std::array<net::const_buffer, 3> pieces{net::buffer(chunk_head_), body, net::buffer("\r\n", 2)};
    net::async_write(socket_, pieces, done);
  }

  void Wrote(unsigned gen, error_code ec, std::size_t n) {
    if (gen != gen_) return;
    if (ec) return Again(milliseconds(0));  // the server closed: the next request
    writing_ = false;
    ready_ = true;
    load_.junk_bytes += static_cast<std::int64_t>(n);
    if (kind_ != Kind::kChunked) left_ -= n;
    if (answered_ && left_ == 0) Again(milliseconds(0));
  }

  void Read(unsigned gen) {
    socket_.async_read_some(
        net::buffer(buf_), [self = shared_from_this(), gen](error_code ec, std::size_t n) {
          if (gen != self->gen_) return;
          // The server may stop sending and still read a while: a hostile
          // sender writes on until its writes fail.
          if (ec) return self->answered_ ? void() : self->Again(milliseconds(0));
          if (!self->answered_) {
            self->answered_ = true;
            self->load_.Answered(StatusOf(std::string_view(self->buf_.data(), n)));
          }
          if (self->left_ == 0 && !self->writing_) return self->Again(milliseconds(0));
          self->Read(gen);
        });
  }

  void Again(milliseconds after) {
    const unsigned gen = ++gen_;
    ready_ = writing_ = false;
    error_code ec;
    socket_.close(ec);
    auto timer = std::make_shared<net::steady_timer>(load_.ioc, after);
    timer->async_wait([self = shared_from_this(), gen, timer](error_code) {
      if (gen == self->gen_) self->Open();
    });
  }

  Impl& load_;
  net::ip::address source_;
  Kind kind_;
  double rate_, budget_ = 0;
  std::chrono::steady_clock::time_point last_tick_;
  tcp::socket socket_;
  net::steady_timer tick_;
  unsigned gen_ = 0;
  std::uint64_t left_ = 0;  // body bytes still to send (not chunked)
  bool answered_ = false, ready_ = false, writing_ = false;
  std::string head_, chunk_head_;
  std::array<char, 512> buf_{};
};

net::ip::address Loopback(int n) {
  return net::ip::make_address_v4(static_cast<net::ip::address_v4::uint_type>((127U << 24) + n));
}

}  // namespace

HostileLoad::HostileLoad(HostileOptions options)
    : impl_(std::make_unique<Impl>(std::move(options))) {
  Impl& load = *impl_;
  const HostileOptions& o = load.options;
  load.server =
      tcp::endpoint(net::ip::make_address("127.0.0.1"), static_cast<unsigned short>(o.port));
  for (int i = 0; i < o.slow_connections; ++i) {
    auto slow = std::make_shared<Slow>(load, Loopback(2 + i % std::max(1, o.slow_addresses)));
    net::post(load.ioc, [slow] { slow->Open(); });
  }
  const Junk::Kind kinds[] = {Junk::Kind::kAnonymous, Junk::Kind::kAuthorized,
                              Junk::Kind::kChunked};
  for (int i = 0; i < o.junk_senders; ++i) {
    auto junk = std::make_shared<Junk>(load, Loopback(2 + o.slow_addresses), kinds[i % 3],
                                       o.junk_bytes_per_second / o.junk_senders);
    net::post(load.ioc, [junk] { junk->Start(); });
  }
  auto cpu = std::make_shared<net::steady_timer>(load.ioc);
  net::post(load.ioc, [&load, cpu] { load.CpuTimer(cpu); });
  load.thread = std::thread([&load] {
    load.ioc.run();
    load.MeasureCpu();
  });
}

HostileLoad::~HostileLoad() {
  impl_->ioc.stop();
  impl_->thread.join();
}

HostileCounts HostileLoad::counts() const {
  const Impl& l = *impl_;
  HostileCounts c;
  c.slow_open = l.slow_open;
  c.slow_open_peak = l.slow_open_peak;
  c.slow_connects = l.slow_connects;
  c.slow_refused = l.slow_refused;
  c.slow_closed = l.slow_closed;
  c.slow_failed = l.slow_failed;
  c.junk_bytes = l.junk_bytes;
  c.junk_requests = l.junk_requests;
  c.cpu_seconds = l.cpu_seconds;
  std::lock_guard lock(l.mu);
  c.junk_answers = l.junk_answers;
  return c;
}

int HostileLoad::WaitOpen(int n, milliseconds timeout) const {
  auto until = std::chrono::steady_clock::now() + timeout;
  while (impl_->slow_open < n && std::chrono::steady_clock::now() < until)
    std::this_thread::sleep_for(milliseconds(50));
  return impl_->slow_open;
}

std::string Describe(const HostileCounts& c, double seconds) {
  char buf[512];
  int len = std::snprintf(
      buf, sizeof buf,
      "slow connections: %d open (peak %d); %lld connects, %lld refused (503), %lld closed by "
      "the server unanswered, %lld failed to connect\n"
      "  junk bodies: %.1f MB/s, %lld requests; answers:",
      c.slow_open, c.slow_open_peak, (long long)c.slow_connects, (long long)c.slow_refused,
      (long long)c.slow_closed, (long long)c.slow_failed,
      static_cast<double>(c.junk_bytes) / 1e6 / std::max(seconds, 1e-9),
      (long long)c.junk_requests);
  std::string out(buf, static_cast<std::size_t>(len));
  for (const auto& [status, n] : c.junk_answers)
    out += " " + std::to_string(status) + "×" + std::to_string(n);
  return out;
}

}  // namespace cbit::bench
