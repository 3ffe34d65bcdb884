#include "store/signing_keys.h"

#include "util/clock.h"

namespace cbit::store {

queue::SigningKey SigningKeys::Current(const std::function<queue::SigningKey()>& make) {
  auto oldest = [](Connection& c) {
    return c.Exec("SELECT key_id, public_key, secret_key FROM signing_key ORDER BY id LIMIT 1");
  };
  Result r = InTransaction(db_, false, oldest);
  if (r.empty()) {
    queue::SigningKey key = make();
    r = InTransaction(db_, true, [&](Connection& c) {
      if (oldest(c).empty()) {
        c.Exec(
            "INSERT INTO signing_key (key_id, public_key, secret_key, created) "
            "VALUES ($1, $2, $3, $4)",
            {key.id, key.public_key, key.secret_key, NowMicros()});
      }
      return oldest(c);
    });
  }
  return {r.text(0, 0), r.text(0, 1), r.text(0, 2)};
}

std::vector<queue::SigningKey> SigningKeys::Public() {
  return InTransaction(db_, false, [](Connection& c) {
    Result r = c.Exec("SELECT key_id, public_key FROM signing_key ORDER BY id");
    std::vector<queue::SigningKey> out;
    for (std::size_t i = 0; i < r.rows(); ++i) out.push_back({r.text(i, 0), r.text(i, 1), ""});
    return out;
  });
}

}  // namespace cbit::store
