#include "web/auth.h"

#include <gtest/gtest.h>
#include <sodium.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <thread>
#include <vector>

#include "web/api_token.h"

namespace cbit::web {
namespace {

using Kind = AuthResult::Kind;
using std::chrono::seconds;

std::string Basic(const std::string& user_pass) {
  std::string out(sodium_base64_ENCODED_LEN(user_pass.size(), sodium_base64_VARIANT_ORIGINAL),
                  '\0');
  sodium_bin2base64(out.data(), out.size(),
                    reinterpret_cast<const unsigned char*>(user_pass.data()), user_pass.size(),
                    sodium_base64_VARIANT_ORIGINAL);
  out.resize(out.find('\0'));
  return "Basic " + out;
}

const std::string& SecretHash() {
  static const std::string hash = HashPassword("secret");
  return hash;
}

std::map<std::string, User> Users() {
  return {{"admin", {.hash = SecretHash()}},
          {"b1", {.hash = SecretHash(), .role = Role::kBuilder, .client = "build_client_1"}}};
}

// A clock the test moves.
struct FakeClock {
  RateLimiter::Clock::time_point t{};
  std::function<RateLimiter::Clock::time_point()> fn() {
    return [this] { return t; };
  }
};

AuthOptions Limits(FakeClock& clock, double burst) {
  AuthOptions o;
  o.per_address = {.burst = burst, .refill = std::chrono::seconds(6), .now = clock.fn()};
  o.per_user = o.per_address;
  return o;
}

TEST(Auth, HashesAreSaltedArgon2id) {
  std::string a = HashPassword("secret"), b = HashPassword("secret");
  EXPECT_EQ(a.rfind("$argon2id$", 0), 0u);
  EXPECT_NE(a, b);
}

TEST(Auth, BasicCredentialsProveAUserWithItsRole) {
  Authenticator auth(Users());
  AuthResult r = auth.Authenticate(Basic("admin:secret"), "10.0.0.1");
  ASSERT_EQ(r.kind, Kind::kOk);
  EXPECT_EQ(r.principal.name, "admin");
  EXPECT_EQ(r.principal.role, Role::kAdmin);
  EXPECT_EQ(auth.Authenticate(Basic("admin:secret"), "10.0.0.1").kind, Kind::kOk);  // remembered
  r = auth.Authenticate(Basic("b1:secret"), "10.0.0.1");
  EXPECT_EQ(r.principal.role, Role::kBuilder);
  EXPECT_EQ(r.principal.client, "build_client_1");
  EXPECT_EQ(auth.Authenticate(Basic("admin:wrong"), "a").kind, Kind::kRefused);
  EXPECT_EQ(auth.Authenticate(Basic("root:secret"), "a").kind, Kind::kRefused);
  EXPECT_EQ(auth.Authenticate(Basic("nocolon"), "a").kind, Kind::kRefused);
  EXPECT_EQ(auth.Authenticate("Basic !!!not-base64", "a").kind, Kind::kRefused);
  EXPECT_EQ(auth.Authenticate("Digest x", "a").kind, Kind::kRefused);
  EXPECT_EQ(auth.Authenticate("", "a").kind, Kind::kAnonymous);
}

TEST(Auth, NoUsersMeansNobody) {
  Authenticator auth({});
  EXPECT_FALSE(auth.has_users());
  EXPECT_EQ(auth.Authenticate(Basic("admin:pass"), "a").kind, Kind::kRefused);
}

TEST(Auth, BearerTokensAreLookedUpByDigestAtEachRequest) {
  std::string token = NewToken();
  std::map<std::string, Principal> valid{{TokenDigest(token), {"hook", Role::kSubmitter, {}, {}}}};
  Authenticator auth({}, [&](const std::string& digest) -> std::optional<Principal> {
    auto it = valid.find(digest);
    if (it == valid.end()) return std::nullopt;
    return it->second;
  });
  AuthResult r = auth.Authenticate("Bearer " + token, "a");
  ASSERT_EQ(r.kind, Kind::kOk);
  EXPECT_EQ(r.principal.name, "hook");
  EXPECT_EQ(r.principal.role, Role::kSubmitter);
  valid.clear();  // revoked
  EXPECT_EQ(auth.Authenticate("Bearer " + token, "a").kind, Kind::kRefused);
  EXPECT_EQ(auth.Authenticate("Bearer cbit_short", "a").kind, Kind::kRefused);
  EXPECT_EQ(auth.Authenticate("Bearer ", "a").kind, Kind::kRefused);
}

TEST(Auth, FailedSignInsAreLimitedPerAddressThenRefilled) {
  FakeClock clock;
  Authenticator auth(Users(), {}, Limits(clock, 3));
  for (int i = 0; i < 3; ++i)
    EXPECT_EQ(auth.Authenticate(Basic("admin:wrong"), "10.0.0.9").kind, Kind::kRefused) << i;
  AuthResult r = auth.Authenticate(Basic("admin:secret"), "10.0.0.9");
  ASSERT_EQ(r.kind, Kind::kLimited);  // not even checked
  EXPECT_EQ(r.retry_after, seconds(6));
  EXPECT_NE(r.reason.find("10.0.0.9"), std::string::npos) << r.reason;
  clock.t += seconds(6);
  EXPECT_EQ(auth.Authenticate(Basic("admin:secret"), "10.0.0.9").kind, Kind::kOk);
}

TEST(Auth, FailedSignInsAreLimitedPerUserFromAnyAddress) {
  FakeClock clock;
  Authenticator auth(Users(), {}, Limits(clock, 2));
  EXPECT_EQ(auth.Authenticate(Basic("nobody:x"), "10.0.0.1").kind, Kind::kRefused);
  EXPECT_EQ(auth.Authenticate(Basic("nobody:y"), "10.0.0.2").kind, Kind::kRefused);
  AuthResult r = auth.Authenticate(Basic("nobody:z"), "10.0.0.3");
  ASSERT_EQ(r.kind, Kind::kLimited);
  EXPECT_NE(r.reason.find("user nobody"), std::string::npos) << r.reason;
  // Another user from another address is not held back.
  EXPECT_EQ(auth.Authenticate(Basic("admin:secret"), "10.0.0.4").kind, Kind::kOk);
}

TEST(Auth, AVerifiedHeaderPassesWhileItsAddressIsLimited) {
  FakeClock clock;
  Authenticator auth(Users(), {}, Limits(clock, 1));
  ASSERT_EQ(auth.Authenticate(Basic("admin:secret"), "10.0.0.5").kind, Kind::kOk);
  EXPECT_EQ(auth.Authenticate(Basic("admin:wrong"), "10.0.0.5").kind, Kind::kRefused);
  EXPECT_EQ(auth.Authenticate(Basic("admin:wrong2"), "10.0.0.5").kind, Kind::kLimited);
  EXPECT_EQ(auth.Authenticate(Basic("admin:secret"), "10.0.0.5").kind, Kind::kOk);
}

TEST(Auth, BadTokensAreLimitedPerAddress) {
  FakeClock clock;
  Authenticator auth(
      {}, [](const std::string&) { return std::nullopt; }, Limits(clock, 2));
  std::string token = NewToken();
  EXPECT_EQ(auth.Authenticate("Bearer " + token, "a").kind, Kind::kRefused);
  EXPECT_EQ(auth.Authenticate("Bearer " + token, "a").kind, Kind::kRefused);
  EXPECT_EQ(auth.Authenticate("Bearer " + token, "a").kind, Kind::kLimited);
  EXPECT_EQ(auth.Authenticate("Bearer " + token, "b").kind, Kind::kRefused);
}

// The median time of `n` refusals of `user_pass`, each from its own address
// (no rate limit on the way).
double MedianRefusalMs(Authenticator& auth, const std::string& user_pass, int n) {
  std::vector<double> ms;
  for (int i = 0; i < n; ++i) {
    auto start = std::chrono::steady_clock::now();
    EXPECT_EQ(auth.Authenticate(Basic(user_pass), user_pass + std::to_string(i)).kind,
              Kind::kRefused);
    ms.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start)
                     .count());
  }
  std::sort(ms.begin(), ms.end());
  return ms[ms.size() / 2];
}

TEST(Auth, AnUnknownUserIsRefusedAsSlowlyAsAWrongPassword) {
  Authenticator auth(Users());
  double wrong = MedianRefusalMs(auth, "admin:wrong", 5);
  double unknown = MedianRefusalMs(auth, "mallory:wrong", 5);
  // Same work (one argon2id check); a generous factor for a busy machine.
  EXPECT_GT(unknown, wrong / 3) << "wrong password " << wrong << " ms, unknown user " << unknown
                                << " ms";
}

// Each argon2id check takes 64 MiB: however many sign-ins arrive at once,
// at most two checks run.
TEST(Auth, AtMostTwoPasswordChecksRunAtOnce) {
  std::atomic<int> running{0}, most{0};
  AuthOptions o;
  o.verify = [&](const std::string&, const std::string&) {
    int now = ++running;
    int seen = most.load();
    while (now > seen && !most.compare_exchange_weak(seen, now)) {
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    --running;
    return false;
  };
  Authenticator auth(Users(), {}, o);
  std::vector<std::thread> threads;
  for (int i = 0; i < 16; ++i) {
    threads.emplace_back([&auth, i] {
      auth.Authenticate(Basic("user" + std::to_string(i) + ":wrong"),
                        "10.0.0." + std::to_string(i));
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(most.load(), 2);
}

TEST(Auth, RolesByName) {
  for (Role r : kAllRoles) EXPECT_EQ(ParseRole(RoleName(r)), r);
  EXPECT_EQ(ParseRole("root"), std::nullopt);
}

}  // namespace
}  // namespace cbit::web
