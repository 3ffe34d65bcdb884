#include "web/api.h"

namespace cbit::web {

void RegisterCollection(Router& r, Collection c) {
  auto col = std::make_shared<Collection>(std::move(c));
  const std::string& b = col->base;
  r.Get(b, [col](const auto& req, auto& res) { SendJson(res, col->list(req, {})); });
  r.Get(b + R"(/page/(\d+))", [col](const auto& req, auto& res) {
    SendJson(res, col->list(req, {PathId(req), col->page_size}));
  });
  r.Get(b + "/count", [col](const auto& req, auto& res) {
    std::int64_t rows = col->count(req);
    SendJson(res, std::to_string((rows + col->page_size - 1) / col->page_size));
  });
  Router::FastHandler peek;
  if (col->peek) {
    peek = [col](const Request& req, Response& res) {
      auto json = col->peek(PathId(req));
      if (json) SendJson(res, *json);
      return json.has_value();
    };
  }
  r.Get(
      b + R"(/(\d+))", [col](const auto& req, auto& res) { SendJson(res, col->get(PathId(req))); },
      Need::Read(), std::move(peek));
  r.PostPut(
      b,
      [col](const auto& req, auto& res) {
        SendJson(res, col->create(Form(req)));
        if (col->changed) col->changed();
      },
      col->create_need);
  if (col->update) {
    r.PostPut(b + R"(/(\d+))", [col](const auto& req, auto& res) {
      SendJson(res, col->update(PathId(req), Form(req)));
      if (col->changed) col->changed();
    });
  }
  auto remove = [col](const Request& req, Response& res) {
    col->remove(PathId(req));
    if (col->changed) col->changed();
    res.status = 200;
  };
  r.Delete(b + R"(/(\d+))", remove);
  // HTML forms can only GET and POST.
  r.Get(b + R"(/(\d+)/delete)", remove, Need::Admin());
}

}  // namespace cbit::web
