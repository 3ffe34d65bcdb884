// The controller's message signing keys as the database keeps them
// (queue/signing.h): made once by the first controller that needs one, then
// shared by every controller on the database.
#pragma once

#include <functional>
#include <vector>

#include "queue/signing.h"
#include "store/db.h"

namespace cbit::store {

class SigningKeys {
 public:
  explicit SigningKeys(Database& db) : db_(db) {}

  /// The key to sign with: the oldest; when there is none, `make`'s is
  /// recorded first (two controllers starting at once both end up with the
  /// oldest one).
  queue::SigningKey Current(const std::function<queue::SigningKey()>& make);
  /// Every key, oldest first, without its secret: what clients may verify with.
  std::vector<queue::SigningKey> Public();

 private:
  Database& db_;
};

}  // namespace cbit::store
