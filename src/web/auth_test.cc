#include "web/auth.h"

#include <gtest/gtest.h>
#include <sodium.h>

namespace cbit::web {
namespace {

std::string Basic(const std::string& user_pass) {
  std::string out(sodium_base64_ENCODED_LEN(user_pass.size(), sodium_base64_VARIANT_ORIGINAL),
                  '\0');
  sodium_bin2base64(out.data(), out.size(),
                    reinterpret_cast<const unsigned char*>(user_pass.data()), user_pass.size(),
                    sodium_base64_VARIANT_ORIGINAL);
  out.resize(out.find('\0'));
  return "Basic " + out;
}

TEST(Auth, HashesAreSaltedArgon2id) {
  std::string a = HashPassword("secret"), b = HashPassword("secret");
  EXPECT_EQ(a.rfind("$argon2id$", 0), 0u);
  EXPECT_NE(a, b);
}

TEST(Auth, ChecksBasicCredentials) {
  Authenticator auth({{"admin", HashPassword("secret")}});
  EXPECT_EQ(auth.Check(Basic("admin:secret")), "admin");
  EXPECT_EQ(auth.Check(Basic("admin:secret")), "admin");  // remembered
  EXPECT_FALSE(auth.Check(Basic("admin:wrong")));
  EXPECT_FALSE(auth.Check(Basic("root:secret")));
  EXPECT_FALSE(auth.Check(Basic("nocolon")));
  EXPECT_FALSE(auth.Check("Basic !!!not-base64"));
  EXPECT_FALSE(auth.Check("Bearer x"));
  EXPECT_FALSE(auth.Check(""));
}

TEST(Auth, NoUsersMeansNobody) {
  Authenticator auth({});
  EXPECT_FALSE(auth.has_users());
  EXPECT_FALSE(auth.Check(Basic("admin:pass")));
}

}  // namespace
}  // namespace cbit::web
