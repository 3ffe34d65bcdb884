#include "http/controller_client.h"

#include <nlohmann/json.hpp>

namespace cbit::http {

std::unique_ptr<httplib::Client> MakeControllerClient(const std::string& url,
                                                      const std::string& user,
                                                      const std::string& password,
                                                      std::chrono::seconds timeout) {
  auto client = std::make_unique<httplib::Client>(url);
  client->set_basic_auth(user, password);
  client->set_keep_alive(true);
  // A PUT sends headers and body in two writes: without this, Nagle and the
  // server's delayed ACK add ~40 ms to every status report and log chunk.
  client->set_tcp_nodelay(true);
  client->set_connection_timeout(timeout);
  client->set_read_timeout(timeout);
  client->set_write_timeout(timeout);
  return client;
}

const httplib::Response& Expect(const httplib::Result& r, const std::string& what) {
  if (!r) throw ApiError(0, what + ": " + httplib::to_string(r.error()));
  if (r->status != 200) {
    std::string msg = r->body;
    try {
      msg = nlohmann::json::parse(r->body).at("error").get<std::string>();
    } catch (const std::exception&) {
    }
    throw ApiError(r->status, what + ": HTTP " + std::to_string(r->status) + ": " + msg);
  }
  return *r;
}

}  // namespace cbit::http
