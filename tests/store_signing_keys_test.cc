// The controller's message signing keys (store/signing_keys.h) on both
// backends: made once, the oldest signs, secrets never listed.
#include <gtest/gtest.h>

#include "store/signing_keys.h"
#include "tests/store_fixture.h"

namespace cbit::store {
namespace {

using SigningKeyTest = StoreTest;

TEST_P(SigningKeyTest, TheFirstKeyIsMadeOnceAndSignsFromThenOn) {
  SigningKeys keys(store_->db());
  int made = 0;
  auto make = [&] {
    ++made;
    return queue::NewSigningKey();
  };
  queue::SigningKey first = keys.Current(make);
  queue::SigningKey again = SigningKeys(store_->db()).Current(make);
  EXPECT_EQ(made, 1);
  EXPECT_EQ(again.id, first.id);
  EXPECT_EQ(again.secret_key, first.secret_key);
  queue::Verifier v;
  for (const auto& k : keys.Public()) {
    EXPECT_TRUE(k.secret_key.empty());
    v.Add(k.public_key);
  }
  EXPECT_EQ(v.Check("body", queue::Sign(again, "body")), queue::Verifier::Result::kValid);
}

INSTANTIATE_TEST_SUITE_P(Backends, SigningKeyTest, ::testing::Values("sqlite", "postgres"),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace cbit::store
