#include "http/controller_client.h"

#include <nlohmann/json.hpp>

namespace cbit::http {

std::unique_ptr<httplib::Client> MakeControllerClient(const std::string& url,
                                                      const Credentials& credentials,
                                                      std::chrono::seconds timeout,
                                                      std::chrono::seconds connect_timeout) {
  auto client = std::make_unique<httplib::Client>(url);
  if (!credentials.token.empty()) {
    client->set_bearer_token_auth(credentials.token);
  } else if (!credentials.user.empty()) {
    client->set_basic_auth(credentials.user, credentials.password);
  }
  client->set_keep_alive(true);
  // A PUT sends headers and body in two writes: without this, Nagle and the
  // server's delayed ACK add ~40 ms to every status report and log chunk.
  client->set_tcp_nodelay(true);
  client->set_connection_timeout(connect_timeout);
  client->set_read_timeout(timeout);
  client->set_write_timeout(timeout);
  return client;
}

std::unique_ptr<httplib::Client> MakeControllerClient(const std::string& url,
                                                      const Credentials& credentials,
                                                      std::chrono::seconds timeout) {
  return MakeControllerClient(url, credentials, timeout, timeout);
}

ControllerUrl SplitControllerUrl(const std::string& url) {
  auto scheme_end = url.find("://");
  auto slash = url.find('/', scheme_end == std::string::npos ? 0 : scheme_end + 3);
  if (slash == std::string::npos) return {url, ""};
  std::string prefix = url.substr(slash);
  while (!prefix.empty() && prefix.back() == '/') prefix.pop_back();
  return {url.substr(0, slash), prefix};
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
