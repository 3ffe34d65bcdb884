#include "web/api_token.h"

#include <gtest/gtest.h>

#include <set>

namespace cbit::web {
namespace {

TEST(ApiToken, RandomPrefixedAndRecognisable) {
  std::set<std::string> seen;
  for (int i = 0; i < 100; ++i) {
    std::string t = NewToken();
    EXPECT_TRUE(t.starts_with("cbit_")) << t;
    EXPECT_EQ(t.size(), 5u + 43u);  // 32 bytes of base64url
    EXPECT_TRUE(LooksLikeToken(t)) << t;
    seen.insert(t);
  }
  EXPECT_EQ(seen.size(), 100u);
  EXPECT_FALSE(LooksLikeToken("cbit_short"));
  EXPECT_FALSE(LooksLikeToken("xbit_" + std::string(43, 'a')));
  EXPECT_FALSE(LooksLikeToken("cbit_" + std::string(42, 'a') + "="));
}

TEST(ApiToken, DigestIsBlake2b256HexAndDependsOnEveryByte) {
  // Unkeyed BLAKE2b with a 32-byte digest, as any BLAKE2b implementation gives it.
  EXPECT_EQ(TokenDigest("abc"), "bddd813c634239723171ef3fee98579b94964e3bb1cb3e427262c8c068d52319");
  std::string t = NewToken();
  std::string other = t;
  other.back() = other.back() == 'a' ? 'b' : 'a';
  EXPECT_EQ(TokenDigest(t).size(), 64u);
  EXPECT_EQ(TokenDigest(t), TokenDigest(t));
  EXPECT_NE(TokenDigest(t), TokenDigest(other));
  EXPECT_EQ(TokenDigest(t).find(t), std::string::npos);
}

}  // namespace
}  // namespace cbit::web
