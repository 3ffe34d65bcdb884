// GET /signing-keys: the public keys the controllers on this database sign
// their messages with (queue/signing.h), for clients to check them.
#include "core/json_writer.h"
#include "store/signing_keys.h"
#include "web/api.h"
#include "web/router.h"

namespace cbit::web {

void RegisterSigningRoutes(Router& r, Api& api) {
  r.Get("/signing-keys", [&api](const Request&, Response& res) {
    JsonWriter w;
    w.BeginObject();
    w.Key("keys");
    w.BeginArray();
    for (const auto& k : store::SigningKeys(api.store.db()).Public()) {
      w.BeginObject();
      w.Key("id");
      w.String(k.id);
      w.Key("public_key");
      w.String(k.public_key);
      w.EndObject();
    }
    w.EndArray();
    w.EndObject();
    SendJson(res, w.Take());
  });
}

}  // namespace cbit::web
