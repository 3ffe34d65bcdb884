#include "httpd/connection.h"

#include <spdlog/spdlog.h>
#include <strings.h>

#include <limits>

#include "httpd/head.h"
#include "httpd/query.h"

namespace cbit::httpd {
namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;

namespace {

// What a refused request may still send before the connection closes.
constexpr std::size_t kMaxLingerBytes = 1 << 20;
constexpr auto kLingerTime = std::chrono::seconds(2);

http::response_header<> HeaderOf(const Response& res, const Headers& defaults) {
  http::response_header<> h;
  h.result(static_cast<unsigned>(res.status));
  h.version(11);
  for (const auto& [k, v] : defaults)
    if (res.headers.count(k) == 0) h.insert(k, v);
  // A header set to an empty value is not sent, and keeps the default of
  // that name out too (signed-in answers carry no CORS header).
  for (const auto& [k, v] : res.headers)
    if (!v.empty()) h.insert(k, v);
  return h;
}

}  // namespace

Connection::Connection(Server::Impl& server, net::ip::tcp::socket socket, std::string address)
    : server_(server), stream_(std::move(socket)), address_(std::move(address)) {}

Connection::~Connection() {
  ReleaseBody();
  server_.Closed(address_, this);
}

void Connection::Start() { WaitForRequest(); }

void Connection::StopIfIdle() {
  net::dispatch(stream_.get_executor(), [self = shared_from_this()] {
    if (self->push_) self->push_->Close();
    if (!self->busy_ && !self->fresh_) self->Close();
  });
}

// Between requests the idle timeout runs; the head's deadline starts with
// its first byte.
void Connection::WaitForRequest() {
  busy_ = false;
  if (server_.stopping() && !fresh_) return Close();
  if (buffer_.size() > 0) return ReadHead();
  stream_.expires_after(server_.options.idle_timeout);
  stream_.async_read_some(buffer_.prepare(4096),
                          [self = shared_from_this()](beast::error_code ec, std::size_t n) {
                            if (ec) return self->Close();
                            self->buffer_.commit(n);
                            self->ReadHead();
                          });
}

void Connection::ReadHead() {
  busy_ = true;
  started_ = std::chrono::steady_clock::now();
  // A head refused before it parses is observed without the last request's route.
  req_.method.clear();
  req_.route.clear();
  parser_.emplace();
  parser_->header_limit(server_.options.max_head_bytes);
  // The body's limit is set once the request is admitted (beast would
  // otherwise refuse a large Content-Length before credentials are checked).
  parser_->body_limit(std::numeric_limits<std::uint64_t>::max());
  stream_.expires_after(server_.options.head_timeout);
  http::async_read_header(stream_, buffer_, *parser_,
                          [self = shared_from_this()](beast::error_code ec, std::size_t) {
                            if (ec == http::error::header_limit)
                              return self->Refuse(431, "the request head is too large");
                            if (ec == beast::error::timeout || ec == http::error::end_of_stream ||
                                ec == net::error::eof || ec == net::error::operation_aborted)
                              return self->Close();
                            if (ec) return self->Refuse(400, "malformed request: " + ec.message());
                            self->OnHead();
                          });
}

void Connection::OnHead() {
  const auto& h = parser_->get();
  try {
    req_ = RequestOfHead(h);
  } catch (const BadInput& e) {
    req_ = Request{};
    req_.method = std::string(h.method_string());  // a HEAD's refusal has no body
    return Refuse(400, e.what());
  }
  req_.remote_addr = address_;
  beast::error_code ec;
  auto ep = stream_.socket().remote_endpoint(ec);
  if (!ec) req_.remote_port = ep.port();
  keep_alive_ = h.keep_alive();
  if (auto fast = TryFast()) return Write(std::move(*fast), false);
  OffStrand([self = shared_from_this()](bool on_strand) { self->AdmitAndRun(on_strand); });
}

template <typename Work>
void Connection::OffStrand(Work work) {
  if (server_.TryInline()) {
    struct Done {
      Server::Impl& server;
      ~Done() { server.InlineDone(); }
    } done{server_};
    ++server_.inline_requests;
    return work(true);
  }
  net::post(server_.workers, [work = std::move(work)]() mutable { work(false); });
}

template <typename Then>
void Connection::Back(bool on_strand, Then then) {
  if (on_strand) return then();
  net::post(stream_.get_executor(), std::move(then));
}

void Connection::AdmitAndRun(bool on_strand) {
  Admission a;
  try {
    a = server_.admit(req_);
  } catch (const std::exception& e) {
    spdlog::error("http: admitting {} {}: {}", req_.method, req_.path, e.what());
    a.answer = ErrorResponse(500, "internal error");
  }
  auto self = shared_from_this();
  // A request whose body is at hand (none, as most GETs, or all of it read
  // with the head, as a small form post) runs its handler here at once: a
  // trip through the connection's strand and back would cost two more
  // thread wake-ups than the handler itself.
  if (!a.answer) {
    std::string bad;
    if (BodyAtHand(bad)) {
      req_.body = parser_->release().body();
      Response res = Handle(a.handler);
      std::string().swap(req_.body);
      return Back(on_strand,
                  [self, res = std::move(res)]() mutable { self->Write(std::move(res), false); });
    }
    if (!bad.empty())
      return Back(on_strand, [self, bad = std::move(bad)] { self->Refuse(400, bad); });
  }
  Back(on_strand, [self, a = std::move(a)]() mutable { self->AfterAdmit(std::move(a)); });
}

std::optional<Response> Connection::TryFast() {
  const auto& fast = server_.options.fast;
  // With a body (or one that would be refused) the normal way decides.
  if (!fast || !parser_->is_done() ||
      RefuseBody(req_, DeclaredLength(*parser_), server_.options.max_body_bytes))
    return std::nullopt;
  try {
    auto res = fast(req_);
    if (res) ++server_.fast_answers;
    return res;
  } catch (const std::exception& e) {
    spdlog::error("http: fast path for {} {}: {}", req_.method, req_.path, e.what());
    return std::nullopt;
  }
}

bool Connection::BodyAtHand(std::string& bad) {
  const std::uint64_t limit = server_.options.max_body_bytes;
  const auto length = DeclaredLength(*parser_);
  if (RefuseBody(req_, length, limit)) return false;
  if (parser_->is_done()) return true;
  // A chunked body, one still on its way, or one the client sends only
  // after 100 Continue is read the normal way.
  if (!length || *length > buffer_.size() || parser_->chunked() ||
      strcasecmp(req_.get_header_value("Expect").c_str(), "100-continue") == 0)
    return false;
  parser_->body_limit(limit);
  beast::error_code ec;
  const std::size_t used = parser_->put(buffer_.data(), ec);
  if (!ec && !parser_->is_done()) ec = http::error::partial_message;
  if (ec) {
    bad = "malformed request body: " + ec.message();
    return false;
  }
  buffer_.consume(used);
  return true;
}

void Connection::AfterAdmit(Admission a) {
  if (a.answer) return Write(std::move(*a.answer), !parser_->is_done());
  const std::uint64_t limit = server_.options.max_body_bytes;
  const auto length = DeclaredLength(*parser_);
  if (auto refusal = RefuseBody(req_, length, limit))
    return Refuse(refusal->status, refusal->message);
  parser_->body_limit(limit);
  if (parser_->is_done()) return RunHandler(std::move(a.handler));
  const std::uint64_t reserve = length ? *length : limit;
  if (!server_.ReserveBody(reserve)) {
    auto busy = ErrorResponse(503, "the server is receiving too many request bodies at once");
    busy.set_header("Retry-After", "1");
    return Write(std::move(busy), true);
  }
  body_reserved_ = reserve;
  auto next = [self = shared_from_this(), h = std::move(a.handler)]() mutable {
    self->stream_.expires_after(self->server_.options.body_timeout);
    http::async_read(self->stream_, self->buffer_, *self->parser_,
                     [self, h = std::move(h)](beast::error_code ec, std::size_t) mutable {
                       if (ec == http::error::body_limit)
                         return self->Refuse(413,
                                             BodyTooLarge(self->server_.options.max_body_bytes));
                       if (ec) return self->Close();
                       self->RunHandler(std::move(h));
                     });
  };
  if (strcasecmp(req_.get_header_value("Expect").c_str(), "100-continue") == 0) {
    static const std::string kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
    stream_.expires_after(server_.options.write_timeout);
    return net::async_write(stream_, net::buffer(kContinue),
                            [self = shared_from_this(), next = std::move(next)](
                                beast::error_code ec, std::size_t) mutable {
                              if (ec) return self->Close();
                              next();
                            });
  }
  next();
}

void Connection::RunHandler(std::function<void(Request&, Response&)> handler) {
  req_.body = parser_->release().body();
  OffStrand([self = shared_from_this(), handler = std::move(handler)](bool on_strand) {
    Response res = self->Handle(handler);
    std::string().swap(self->req_.body);
    self->ReleaseBody();
    self->Back(on_strand,
               [self, res = std::move(res)]() mutable { self->Write(std::move(res), false); });
  });
}

Response Connection::Handle(const std::function<void(Request&, Response&)>& handler) {
  Response res;
  try {
    handler(req_, res);
  } catch (const std::exception& e) {
    spdlog::error("http: {} {}: {}", req_.method, req_.path, e.what());
    res = ErrorResponse(500, "internal error");
  }
  return res;
}

// A refusal before the body was read: the connection cannot be reused.
void Connection::Refuse(int status, const std::string& message) {
  Write(ErrorResponse(status, message), true);
}

void Connection::Write(Response res, bool close) {
  if (const auto& observe = server_.options.observe) {
    try {
      observe(req_, res.status, std::chrono::steady_clock::now() - started_);
    } catch (const std::exception& e) {
      spdlog::error("http: observing {} {}: {}", req_.method, req_.path, e.what());
    }
  }
  if (close || server_.stopping() || res.push) keep_alive_ = false;
  auto shared = std::make_shared<Response>(std::move(res));
  const bool head = req_.method == "HEAD";
  if (shared->producer || shared->push) {
    auto msg = std::make_shared<http::response<http::empty_body>>(
        HeaderOf(*shared, server_.options.default_headers));
    msg->keep_alive(keep_alive_);
    if (shared->content_length && !shared->push) {
      msg->content_length(*shared->content_length);
    } else if (!head) {
      msg->chunked(true);
    }
    auto sr = std::make_shared<http::response_serializer<http::empty_body>>(*msg);
    out_ = std::make_shared<std::pair<decltype(msg), decltype(sr)>>(msg, sr);
    stream_.expires_after(server_.options.write_timeout);
    return http::async_write_header(
        stream_, *sr, [self = shared_from_this(), shared, head](beast::error_code ec, std::size_t) {
          if (ec) return self->Close();
          if (head) return self->AfterWrite();
          if (shared->push) return self->StartPush(shared);
          self->NextChunk(shared);
        });
  }
  auto msg = std::make_shared<http::response<http::string_body>>(
      HeaderOf(*shared, server_.options.default_headers));
  msg->body() = std::move(shared->body);
  msg->keep_alive(keep_alive_);
  msg->prepare_payload();
  if (head) msg->body().clear();
  out_ = msg;
  stream_.expires_after(server_.options.write_timeout);
  http::async_write(stream_, *msg, [self = shared_from_this()](beast::error_code ec, std::size_t) {
    if (ec) return self->Close();
    self->AfterWrite();
  });
}

void Connection::AfterWrite() {
  out_.reset();
  fresh_ = false;
  if (!keep_alive_) return parser_ && !parser_->is_done() ? Linger() : Close();
  WaitForRequest();
}

// The producer runs on a worker; each chunk is written before the next is
// asked for, so one chunk at a time is held.
void Connection::NextChunk(const std::shared_ptr<Response>& res) {
  net::post(server_.workers, [self = shared_from_this(), res] {
    std::string chunk;
    bool more = false, failed = false;
    try {
      more = res->producer(chunk);
    } catch (const std::exception& e) {
      spdlog::error("http: streaming {} {}: {}", self->req_.method, self->req_.path, e.what());
      failed = true;
    }
    net::post(self->stream_.get_executor(),
              [self, res, more, failed, chunk = std::move(chunk)]() mutable {
                if (failed) return self->Close();  // the client sees a truncated chunked body
                self->stream_.expires_after(self->server_.options.write_timeout);
                const bool raw = res->content_length.has_value();
                if (!more && raw) return self->AfterWrite();
                if (!more) {
                  return net::async_write(self->stream_, http::make_chunk_last(),
                                          [self](beast::error_code ec, std::size_t) {
                                            if (ec) return self->Close();
                                            self->AfterWrite();
                                          });
                }
                if (chunk.empty()) return self->NextChunk(res);
                self->chunk_ = std::move(chunk);
                auto next = [self, res](beast::error_code ec, std::size_t) {
                  if (ec) return self->Close();
                  self->NextChunk(res);
                };
                if (raw) return net::async_write(self->stream_, net::buffer(self->chunk_), next);
                net::async_write(self->stream_, http::make_chunk(net::buffer(self->chunk_)), next);
              });
  });
}

void Connection::StartPush(const std::shared_ptr<Response>& res) {
  push_ = res->push;
  busy_ = false;  // an open stream is idle: Stop closes it
  stream_.expires_never();
  if (server_.options.push_send_buffer_bytes > 0) {
    beast::error_code ignored;
    stream_.socket().set_option(
        net::socket_base::send_buffer_size(server_.options.push_send_buffer_bytes), ignored);
  }
  std::weak_ptr<Connection> weak = weak_from_this();
  push_->Attach([weak](std::optional<std::string> piece) {
    auto self = weak.lock();
    if (!self) return;
    net::post(self->stream_.get_executor(), [self, piece = std::move(piece)]() mutable {
      if (self->closed_) return;
      self->push_bytes_ += piece ? piece->size() : 0;
      self->push_queue_.push_back(std::move(piece));
      if (self->push_bytes_ > self->server_.options.max_push_backlog_bytes) {
        spdlog::warn("http: closing a stream to {}: the client does not read", self->address_);
        return self->Close();
      }
      if (!self->push_writing_) self->PushWrite();
    });
  });
  // A read that only ends when the client goes away.
  stream_.async_read_some(
      net::buffer(scratch_),
      [self = shared_from_this()](beast::error_code, std::size_t) { self->Close(); });
}

void Connection::PushWrite() {
  if (closed_ || push_queue_.empty()) return;
  push_writing_ = true;
  auto piece = std::move(push_queue_.front());
  push_queue_.pop_front();
  auto done = [self = shared_from_this()](beast::error_code ec, std::size_t) {
    self->push_writing_ = false;
    if (ec) return self->Close();
    self->PushWrite();
  };
  // Only the write's timer: the pending read that watches for the client
  // going away keeps none.
  stream_.expires_after(server_.options.write_timeout);
  if (!piece)
    return net::async_write(
        stream_, http::make_chunk_last(),
        [self = shared_from_this()](beast::error_code, std::size_t) { self->Close(); });
  push_bytes_ -= piece->size();
  chunk_ = std::move(*piece);
  net::async_write(stream_, http::make_chunk(net::buffer(chunk_)), std::move(done));
}

// After a refusal the client may still be sending its body: read and drop
// a little of it so that closing does not reset the connection before the
// client has read the answer.
void Connection::Linger() {
  beast::error_code ec;
  stream_.socket().shutdown(net::ip::tcp::socket::shutdown_send, ec);
  stream_.expires_after(kLingerTime);
  LingerRead(kMaxLingerBytes);
}

void Connection::LingerRead(std::size_t left) {
  stream_.async_read_some(net::buffer(scratch_),
                          [self = shared_from_this(), left](beast::error_code ec, std::size_t n) {
                            if (ec || n >= left) return self->Close();
                            self->LingerRead(left - n);
                          });
}

void Connection::ReleaseBody() {
  if (body_reserved_ == 0) return;
  server_.ReleaseBody(body_reserved_);
  body_reserved_ = 0;
}

void Connection::Close() {
  if (closed_) return;
  closed_ = true;
  if (push_) push_->Detach();
  beast::error_code ec;
  stream_.socket().shutdown(net::ip::tcp::socket::shutdown_both, ec);
  stream_.close();
}

}  // namespace cbit::httpd
