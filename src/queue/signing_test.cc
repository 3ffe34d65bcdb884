#include "queue/signing.h"

#include <gtest/gtest.h>

#include <stdexcept>

#include "queue/fake_publisher.h"

namespace cbit::queue {
namespace {

using R = Verifier::Result;

TEST(Signing, ASignedBodyVerifiesAndAnyChangeDoesNot) {
  SigningKey key = NewSigningKey();
  EXPECT_EQ(key.id, KeyIdOf(key.public_key));
  EXPECT_EQ(key.id.size(), 16u);
  Verifier v;
  v.Add(key.public_key);
  const std::string body = R"({"job": {"id": 7}})";
  std::string sig = Sign(key, body);
  EXPECT_EQ(v.Check(body, sig), R::kValid);
  EXPECT_EQ(v.Check(R"({"job": {"id": 8}})", sig), R::kForged);
  std::string flipped = sig;
  flipped[flipped.size() - 3] = flipped[flipped.size() - 3] == 'A' ? 'B' : 'A';
  EXPECT_EQ(v.Check(body, flipped), R::kForged);
  EXPECT_EQ(v.Check(body, ""), R::kUnsigned);
  EXPECT_EQ(v.Check(body, "nocolon"), R::kForged);
  EXPECT_EQ(v.Check(body, key.id + ":not base64!"), R::kForged);
}

TEST(Signing, AnotherKeysSignatureIsUnknownUntilItsKeyIsAdded) {
  SigningKey mine = NewSigningKey(), other = NewSigningKey();
  Verifier v;
  v.Add(mine.public_key);
  std::string sig = Sign(other, "body");
  EXPECT_EQ(v.Check("body", sig), R::kUnknownKey);
  // The other key's id with a signature made by mine is a forgery.
  std::string mine_sig = Sign(mine, "body");
  v.Add(other.public_key);
  EXPECT_EQ(v.Check("body", sig), R::kValid);
  EXPECT_EQ(v.Check("body", other.id + mine_sig.substr(mine_sig.find(':'))), R::kForged);
}

TEST(Signing, BadKeysAreRefused) {
  Verifier v;
  EXPECT_THROW(v.Add("c2hvcnQ="), std::invalid_argument);
  EXPECT_THROW(v.Add("not base64"), std::invalid_argument);
  SigningKey key = NewSigningKey();
  key.secret_key = "c2hvcnQ=";
  EXPECT_THROW(Sign(key, "x"), std::invalid_argument);
}

TEST(Signing, TheSigningPublisherSignsEveryMessageItForwards) {
  FakePublisher inner;
  SigningKey key = NewSigningKey();
  SigningPublisher p(inner, key);
  p.Publish({"rk", "q", "body 1", {}, {}});
  p.PublishAsync({"rk", "q", "body 2", {}, {}}, [](bool) {});
  Verifier v;
  v.Add(key.public_key);
  auto sent = inner.sent();
  ASSERT_EQ(sent.size(), 2u);
  for (const auto& m : sent)
    EXPECT_EQ(v.Check(m.body, m.text_headers.at(kSignatureHeader)), R::kValid);
}

}  // namespace
}  // namespace cbit::queue
