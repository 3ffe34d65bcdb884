#include "web/events_request.h"

#include <gtest/gtest.h>

namespace cbit::web {
namespace {

Request Ask(httpd::Params params, httpd::Headers headers = {}) {
  Request r;
  r.method = "GET";
  r.path = "/events";
  r.params = std::move(params);
  r.headers = std::move(headers);
  return r;
}

std::string Refusal(const Request& r) {
  try {
    ParseEventsRequest(r);
  } catch (const HttpError& e) {
    EXPECT_EQ(e.status, 400);
    return e.what();
  }
  return "accepted";
}

TEST(EventsRequest, ReadsFiltersAndWhereToResume) {
  auto a = ParseEventsRequest(Ask({{"job", "3,4"},
                                   {"job", "9"},
                                   {"package", "hello"},
                                   {"client", "c1"},
                                   {"client", "c2"},
                                   {"since", "17"}}));
  EXPECT_EQ(a.filter.jobs, (std::vector<Id>{3, 4, 9}));
  EXPECT_EQ(a.filter.packages, (std::vector<std::string>{"hello"}));
  EXPECT_EQ(a.filter.clients, (std::vector<std::string>{"c1", "c2"}));
  EXPECT_EQ(a.since, 17);
  EXPECT_FALSE(ParseEventsRequest(Ask({})).since);
}

TEST(EventsRequest, LastEventIdWinsOverSince) {
  auto a = ParseEventsRequest(Ask({{"since", "5"}}, {{"last-event-id", "8"}}));
  EXPECT_EQ(a.since, 8);
}

TEST(EventsRequest, RefusesWhatItCannotRead) {
  EXPECT_EQ(Refusal(Ask({{"job", "x"}})), "job 'x' is not a job id");
  EXPECT_EQ(Refusal(Ask({{"job", "1,,2"}})), "job '' is not a job id");
  EXPECT_EQ(Refusal(Ask({{"job", "0"}})), "job '0' is not a job id");
  EXPECT_EQ(Refusal(Ask({{"since", "1e3"}})), "since '1e3' is not an event id");
  EXPECT_EQ(Refusal(Ask({}, {{"Last-Event-ID", "-4"}})), "Last-Event-ID '-4' is not an event id");
  EXPECT_EQ(Refusal(Ask({{"package", ""}})), "package must be 1 to 256 bytes");
  EXPECT_EQ(Refusal(Ask({{"client", std::string(257, 'c')}})), "client must be 1 to 256 bytes");
  EXPECT_EQ(Refusal(Ask({{"status", "Done"}})),
            "unknown parameter 'status' (job, package, client, since)");
  httpd::Params many;
  for (int i = 0; i <= 100; ++i) many.emplace("package", "p" + std::to_string(i));
  EXPECT_EQ(Refusal(Ask(many)), "at most 100 values of one filter");
}

}  // namespace
}  // namespace cbit::web
