// The parts of AmqpOptions (publisher.h) that are read from configs: queue
// types and broker addresses.
#include <charconv>

#include "queue/publisher.h"
#include "util/json_config.h"

namespace cbit::queue {

const char* QueueTypeName(QueueType t) { return t == QueueType::kQuorum ? "quorum" : "classic"; }

std::optional<QueueType> ParseQueueType(const std::string& name) {
  if (name == "classic") return QueueType::kClassic;
  if (name == "quorum") return QueueType::kQuorum;
  return std::nullopt;
}

std::optional<BrokerAddress> ParseBrokerAddress(const std::string& text, int default_port) {
  BrokerAddress a{text, default_port};
  if (auto colon = text.rfind(':'); colon != std::string::npos) {
    a.host = text.substr(0, colon);
    const char* first = text.data() + colon + 1;
    const char* last = text.data() + text.size();
    auto [end, ec] = std::from_chars(first, last, a.port);
    if (ec != std::errc() || end != last || first == last) return std::nullopt;
  }
  if (a.host.empty() || a.port < 1 || a.port > 65535) return std::nullopt;
  return a;
}

std::vector<BrokerAddress> AmqpOptions::Addresses() const {
  std::vector<BrokerAddress> out{{host, port}};
  for (const auto& a : more_addresses)
    if (a != out.front()) out.push_back(a);
  return out;
}

void SetBrokerAddresses(AmqpOptions& o, const std::vector<std::string>& entries, int default_port,
                        const std::string& key) {
  if (entries.empty()) throw ConfigError(key + " names no broker");
  std::vector<BrokerAddress> addresses;
  for (const auto& e : entries) {
    auto a = ParseBrokerAddress(e, default_port);
    if (!a) {
      throw ConfigError(std::string(key).append(": '").append(e).append(
          "' is not host or host:port (port 1-65535)"));
    }
    addresses.push_back(*a);
  }
  o.host = addresses.front().host;
  o.port = addresses.front().port;
  o.more_addresses.assign(addresses.begin() + 1, addresses.end());
}

void SetQueueType(AmqpOptions& o, const std::string& name, const std::string& key) {
  auto t = ParseQueueType(name);
  if (!t) throw ConfigError(key + " must be \"classic\" or \"quorum\", not '" + name + "'");
  o.queue_type = *t;
  o.queue_type_key = key;
}

}  // namespace cbit::queue
