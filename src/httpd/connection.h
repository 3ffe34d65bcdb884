// One client connection: reads requests, hands them to the workers, writes
// (or streams) the answers. Lives on its own strand; holds no thread while
// it waits (internal to httpd).
#pragma once

#include <chrono>
#include <deque>
#include <memory>
#include <optional>
#include <string>

#include "httpd/asio.h"
#include "httpd/head.h"
#include "httpd/server_impl.h"

namespace cbit::httpd {

class Connection : public std::enable_shared_from_this<Connection> {
 public:
  Connection(Server::Impl& server, boost::asio::ip::tcp::socket socket, std::string address);
  ~Connection();
  void Start();
  /// On Stop: closes the connection unless a request is in flight.
  void StopIfIdle();

 private:
  using Parser = RequestParser;

  void WaitForRequest();
  void ReadHead();
  void OnHead();
  /// The Fast hook's answer for a request without a body, if it gives one.
  std::optional<Response> TryFast();
  /// On the worker that admitted the request, while its strand waits: true
  /// when the whole body is parsed — there is none, or it came with the
  /// head. False for a body to read (or refuse) the normal way, or with
  /// `bad` set when the buffered body does not parse.
  bool BodyAtHand(std::string& bad);
  /// Admit, then the handler when the body is at hand; else back to the
  /// strand to read the body. Runs off the strand, or on it when
  /// `on_strand` (an I/O thread doing the work itself).
  void AdmitAndRun(bool on_strand);
  /// Runs `work(on_strand)` where it may block: on this I/O thread while
  /// another stays free (Server::Impl::TryInline), else on a worker.
  template <typename Work>
  void OffStrand(Work work);
  /// Runs `then` on the connection's strand: at once when already on it.
  template <typename Then>
  void Back(bool on_strand, Then then);
  void AfterAdmit(Admission admission);
  void ReadBody();
  void RunHandler(std::function<void(Request&, Response&)> handler);
  /// On a worker: the handler's answer (500 when it throws).
  Response Handle(const std::function<void(Request&, Response&)>& handler);
  /// Sends `res`; with `close`, ends the connection after it.
  void Write(Response res, bool close);
  void AfterWrite();
  void Refuse(int status, const std::string& message);
  void NextChunk(const std::shared_ptr<Response>& res);
  void StartPush(const std::shared_ptr<Response>& res);
  void PushWrite();
  void Linger();
  void LingerRead(std::size_t left);
  void Close();
  /// Gives back this request's share of the body budget.
  void ReleaseBody();

  Server::Impl& server_;
  boost::beast::tcp_stream stream_;
  std::string address_;
  boost::beast::flat_buffer buffer_;
  std::optional<Parser> parser_;
  Request req_;
  /// When the request's first byte was read (Options::observe's duration).
  std::chrono::steady_clock::time_point started_;
  bool keep_alive_ = true;
  bool busy_ = false;  ///< a request is in flight
  /// No answer written yet: a request may be on its way, which a stop
  /// waits for (up to the idle timeout) instead of closing it unanswered.
  bool fresh_ = true;
  bool closed_ = false;
  std::uint64_t body_reserved_ = 0;  ///< of the server's body budget
  std::shared_ptr<void> out_;        ///< what the write in progress refers to
  std::string chunk_;
  std::deque<std::optional<std::string>> push_queue_;
  std::size_t push_bytes_ = 0;
  bool push_writing_ = false;
  std::shared_ptr<PushStream> push_;
  char scratch_[512];
};

}  // namespace cbit::httpd
