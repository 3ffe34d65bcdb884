#include "web/events_request.h"

namespace cbit::web {
namespace {

constexpr std::size_t kMaxNameBytes = 256;

Id EventId(const std::string& what, const std::string& value) {
  auto v = ParseDecimal(value);
  if (!v) throw HttpError(400, what + " '" + value + "' is not an event id");
  return *v;
}

void AddJobs(const std::string& value, std::vector<Id>& jobs) {
  std::size_t start = 0;
  for (;;) {
    const std::size_t comma = value.find(',', start);
    const std::string one = value.substr(start, comma - start);
    auto id = ParseDecimal(one);
    if (!id || *id == 0) throw HttpError(400, "job '" + one + "' is not a job id");
    jobs.push_back(*id);
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
}

void AddName(const std::string& key, const std::string& value, std::vector<std::string>& list) {
  if (value.empty() || value.size() > kMaxNameBytes)
    throw HttpError(400, key + " must be 1 to " + std::to_string(kMaxNameBytes) + " bytes");
  list.push_back(value);
}

}  // namespace

EventsRequest ParseEventsRequest(const Request& req) {
  EventsRequest out;
  for (const auto& [key, value] : req.params) {
    if (key == "job") {
      AddJobs(value, out.filter.jobs);
    } else if (key == "package") {
      AddName(key, value, out.filter.packages);
    } else if (key == "client") {
      AddName(key, value, out.filter.clients);
    } else if (key == "since") {
      out.since = EventId("since", value);
    } else {
      throw HttpError(400, "unknown parameter '" + key + "' (job, package, client, since)");
    }
  }
  for (std::size_t n :
       {out.filter.jobs.size(), out.filter.packages.size(), out.filter.clients.size()})
    if (n > kMaxEventFilters)
      throw HttpError(400, "at most " + std::to_string(kMaxEventFilters) + " values of one filter");
  if (req.has_header("Last-Event-ID"))
    out.since = EventId("Last-Event-ID", req.get_header_value("Last-Event-ID"));
  return out;
}

}  // namespace cbit::web
