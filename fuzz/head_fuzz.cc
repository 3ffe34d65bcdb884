// What cbit-web does with an untrusted request head, without a socket:
// Beast's parser with the server's limits (scaled down so that inputs of a
// few kB reach them), the Request the connection makes of the head
// (httpd/head.h), the router's admission on the controller's real route
// table (method, 414 cap, route match, Basic and Bearer credentials), the
// refusal of an encoded or oversized body, the body read (chunked too), and
// the Range header as the repository route parses it. Refusals must be the
// documented ones: an exception out of the admission (the server's 500) or
// an answer of another status is a finding.
#include <sodium.h>
#include <stdlib.h>
#include <strings.h>

#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <limits>
#include <memory>
#include <set>
#include <string>

#include "controller/controller.h"
#include "controller/outbox.h"
#include "controller/store_job_store.h"
#include "httpd/files.h"
#include "httpd/head.h"
#include "httpd/query.h"
#include "queue/fake_publisher.h"
#include "store/store.h"
#include "web/api.h"
#include "web/api_token.h"
#include "web/auth.h"
#include "web/server.h"

namespace {

namespace http = boost::beast::http;
using cbit::web::Role;

constexpr std::uint32_t kHeadLimit = 4096;
constexpr std::uint64_t kBodyLimit = 1024;
// A token of the right shape that the lookup knows (seed inputs use it).
constexpr char kToken[] = "cbit_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";

void Check(bool ok) {
  if (!ok) std::abort();
}

// argon2id at its lowest cost: the parsing is under test, not the hash.
std::string CheapHash(const std::string& password) {
  char out[crypto_pwhash_STRBYTES];
  Check(crypto_pwhash_str(out, password.data(), password.size(), crypto_pwhash_OPSLIMIT_MIN,
                          crypto_pwhash_MEMLIMIT_MIN) == 0);
  return out;
}

cbit::web::AuthOptions CheapAuth() {
  cbit::web::AuthOptions o;
  // A clock that stands still and buckets that never empty: every input is
  // checked, none is refused for the ones before it.
  const auto start = cbit::web::RateLimiter::Clock::now();
  o.per_address = {.burst = 1e15, .now = [start] { return start; }};
  o.per_user = o.per_address;
  // The users' hashes (argon2id at its lowest cost) are checked for real;
  // the dummy that unknown users are checked against (full cost, 64 MiB)
  // is not: the parsing is under test, not the hash.
  o.verify = [](const std::string& hash, const std::string& password) {
    return hash.find("$m=8,t=1,") != std::string::npos &&
           crypto_pwhash_str_verify(hash.c_str(), password.data(), password.size()) == 0;
  };
  return o;
}

// The controller's routes over a store nobody writes to (admission never
// runs a handler).
struct Edge {
  Edge()
      : dir(MakeDir()),
        store(cbit::store::OpenSqlite({.path = dir + "/cbit.db", .pool_size = 1})),
        jobs(store),
        outbox(jobs, publisher),
        controller(jobs, outbox, {}),
        api{store, controller, publisher, nullptr},
        auth(
            {{"admin", {.hash = CheapHash("secret")}},
             {"b1", {.hash = CheapHash("secret"), .role = Role::kBuilder, .client = "c1"}}},
            [](const std::string& digest) -> std::optional<cbit::web::Principal> {
              if (digest != cbit::web::TokenDigest(kToken)) return std::nullopt;
              return cbit::web::Principal{"hook", Role::kSubmitter, {}, {}};
            },
            CheapAuth()),
        router(auth, /*auth_reads=*/true) {
    cbit::web::Config cfg;
    cfg.repository = dir + "/repository";
    std::filesystem::create_directory(cfg.repository);
    cbit::web::RegisterRoutes(router, cfg, api);
  }
  // A directory of its own, removed when the run ends.
  static std::string MakeDir() {
    static char tmpl[] = "/tmp/cbit-fuzz-head-XXXXXX";
    Check(mkdtemp(tmpl) != nullptr);
    std::atexit([] {
      std::error_code ec;
      std::filesystem::remove_all(tmpl, ec);
    });
    return tmpl;
  }

  std::string dir;
  cbit::queue::FakePublisher publisher;
  cbit::store::Store store;
  cbit::controller::StoreJobStore jobs;
  cbit::controller::Outbox outbox;
  cbit::controller::Controller controller;
  cbit::web::Api api;
  cbit::web::Authenticator auth;
  cbit::web::Router router;
};

bool HasNul(const std::string& s) { return s.find('\0') != std::string::npos; }

// The one range a Range header may name lies inside the file.
void CheckRange(const std::string& header) {
  for (std::uint64_t size : {std::uint64_t{0}, std::uint64_t{1}, std::uint64_t{4096},
                             std::numeric_limits<std::uint64_t>::max()}) {
    cbit::httpd::ByteRange r;
    if (cbit::httpd::ParseRange(header, size, r) == cbit::httpd::RangeKind::kOne)
      Check(r.first <= r.last && r.last < size);
  }
}

// Feeds `buf` to the parser until `done` holds; false when the input ended
// first (the server would wait, then close) or the parser refused it.
template <typename Done>
bool Feed(cbit::httpd::RequestParser& p, boost::asio::const_buffer& buf, Done done,
          boost::beast::error_code& ec) {
  while (!done()) {
    // The input ended: the server would wait for more, then close.
    if (buf.size() == 0) return false;
    std::size_t n = p.put(buf, ec);
    buf += n;
    if (ec == http::error::need_more && n > 0) ec = {};
    if (ec || n == 0) return false;  // refused, or waiting for bytes the input lacks
  }
  return true;
}

// The body's fate once the route admitted the head.
void ReadBody(cbit::httpd::RequestParser& p, const cbit::httpd::Request& req,
              boost::asio::const_buffer& buf) {
  if (auto refusal = cbit::httpd::RefuseBody(req, cbit::httpd::DeclaredLength(p), kBodyLimit)) {
    Check(refusal->status == 413 || refusal->status == 415 || refusal->status == 501);
    return;
  }
  auto [first, last] = req.headers.equal_range("Content-Encoding");
  for (auto it = first; it != last; ++it) {
    const std::string& encoding = it->second;
    Check(encoding.empty() ||
          (encoding.size() == 8 && strcasecmp(encoding.c_str(), "identity") == 0));
  }
  Check(!p.content_length() || *p.content_length() <= kBodyLimit);
  p.body_limit(kBodyLimit);
  boost::beast::error_code ec;
  if (Feed(
          p, buf, [&] { return p.is_done(); }, ec))
    Check(p.get().body().size() <= kBodyLimit);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static Edge* edge = new Edge;  // never destroyed: the store outlives every input
  static const std::set<int> kRefusals = {204, 401, 403, 404, 405, 414, 429, 501};
  cbit::httpd::RequestParser p;
  p.header_limit(kHeadLimit);
  p.body_limit(std::numeric_limits<std::uint64_t>::max());
  boost::asio::const_buffer buf(data, size);
  boost::beast::error_code ec;
  if (!Feed(
          p, buf, [&] { return p.is_header_done(); }, ec))
    return 0;  // 431, 400 or closed
  cbit::httpd::Request req;
  try {
    req = cbit::httpd::RequestOfHead(p.get());
  } catch (const cbit::httpd::BadInput&) {
    return 0;  // 400
  }
  Check(!HasNul(req.path));
  for (const auto& [k, v] : req.params) Check(!HasNul(k) && !HasNul(v));
  req.remote_addr = "192.0.2.1";
  CheckRange(req.get_header_value("Range"));
  cbit::httpd::Admission a = edge->router.Admit(req);
  if (a.answer) {
    Check(kRefusals.count(a.answer->status) == 1);
    return 0;
  }
  Check(static_cast<bool>(a.handler));
  ReadBody(p, req, buf);
  return 0;
}
