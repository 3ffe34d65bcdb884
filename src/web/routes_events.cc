// GET /events: the live event stream (docs/protocol.md, "Live events";
// src/events/hub.h). The answer is a push stream: no thread waits on it.
#include "events/hub.h"
#include "web/api.h"
#include "web/events_request.h"

namespace cbit::web {

void RegisterEventRoutes(Router& r, Api& api) {
  r.Get("/events", [&api](const Request& req, Response& res) {
    if (!api.events) throw HttpError(503, "the event stream is not running");
    EventsRequest ask = ParseEventsRequest(req);
    res.set_header("Cache-Control", "no-store");
    // Proxies that buffer answers (nginx) would hold the events back.
    res.set_header("X-Accel-Buffering", "no");
    // HEAD has no body to stream: a stream nobody reads would pile up.
    if (req.method == "HEAD") return res.set_content("", "text/event-stream");
    api.events->Subscribe(res.start_push("text/event-stream"), std::move(ask.filter), ask.since);
  });
}

}  // namespace cbit::web
