#include <gtest/gtest.h>

#include "web/router.h"
#include "web/webhook_payload.h"
#include "web/webhook_verify.h"
#include "web/webhook_worker.h"

namespace cbit::web {
namespace {

TEST(WebhookHmac, MatchesTheRfc4231Vector) {
  // RFC 4231 test case 2.
  EXPECT_EQ(HmacSha256Hex("Jefe", "what do ya want for nothing?"),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

TEST(WebhookHmac, VerifiesOnlyTheRightSignature) {
  std::string body = R"({"ref": "refs/heads/main"})";
  std::string sig = HmacSha256Hex("s3cret", body);
  EXPECT_TRUE(VerifyHmacSha256Hex("s3cret", body, sig));
  std::string upper = sig;
  for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  EXPECT_TRUE(VerifyHmacSha256Hex("s3cret", body, upper));
  EXPECT_FALSE(VerifyHmacSha256Hex("other", body, sig));
  EXPECT_FALSE(VerifyHmacSha256Hex("s3cret", body + " ", sig));
  EXPECT_FALSE(VerifyHmacSha256Hex("s3cret", body, sig.substr(2)));
  EXPECT_FALSE(VerifyHmacSha256Hex("s3cret", body, sig + "00"));
  EXPECT_FALSE(VerifyHmacSha256Hex("s3cret", body, "not hex at all"));
  EXPECT_FALSE(VerifyHmacSha256Hex("s3cret", body, ""));
}

TEST(WebhookToken, EqualOnlyWhenIdentical) {
  EXPECT_TRUE(TokenEquals("tok", "tok"));
  EXPECT_FALSE(TokenEquals("tok", "tok2"));
  EXPECT_FALSE(TokenEquals("tok", ""));
  EXPECT_FALSE(TokenEquals("tok", "TOK"));
}

const std::string kBefore(40, '1'), kAfter(40, '2');

TEST(WebhookPayload, GitHubAndGiteaUseRepositoryCloneUrl) {
  std::string body = R"({"ref": "refs/heads/main", "before": ")" + kBefore + R"(", "after": ")" +
                     kAfter +
                     R"(", "repository": {"clone_url": "https://git.example/a.git", "x": 1},
                        "pusher": {}})";
  for (Forge f : {Forge::kGitHub, Forge::kGitea}) {
    PushEvent e = ParsePush(f, body);
    EXPECT_EQ(e.clone_url, "https://git.example/a.git");
    EXPECT_EQ(e.ref, "refs/heads/main");
    EXPECT_EQ(e.before, kBefore);
    EXPECT_EQ(e.after, kAfter);
  }
}

TEST(WebhookPayload, GitLabUsesProjectGitHttpUrl) {
  std::string body = R"({"object_kind": "push", "ref": "refs/heads/x", "before": ")" + kBefore +
                     R"(", "after": ")" + kAfter +
                     R"(", "project": {"git_http_url": "https://gitlab.example/g/p.git"}})";
  EXPECT_EQ(ParsePush(Forge::kGitLab, body).clone_url, "https://gitlab.example/g/p.git");
}

std::string Problem(Forge f, const std::string& body) {
  try {
    ParsePush(f, body);
  } catch (const HttpError& e) {
    EXPECT_EQ(e.status, 400);
    return e.what();
  }
  return "no error";
}

// A payload nested a million deep (a body under web.max_body) is read
// without recursion: parsed and freed, then refused for what it lacks.
TEST(WebhookPayload, DeepNestingIsRefusedNotACrash) {
  const std::string deep = std::string(1000000, '[') + std::string(1000000, ']');
  EXPECT_NE(Problem(Forge::kGitHub, R"({"ref": )" + deep + "}").find("ref"), std::string::npos);
  EXPECT_NE(Problem(Forge::kGitea, deep).find("not a JSON object"), std::string::npos);
}

TEST(WebhookPayload, MalformedPayloadsNameTheProblem) {
  EXPECT_NE(Problem(Forge::kGitHub, "{not json").find("not valid JSON"), std::string::npos);
  EXPECT_NE(Problem(Forge::kGitHub, "[]").find("not a JSON object"), std::string::npos);
  EXPECT_NE(Problem(Forge::kGitHub, R"({"ref": "refs/heads/m"})").find("before"),
            std::string::npos);
  std::string no_repo =
      R"({"ref": "r", "before": ")" + kBefore + R"(", "after": ")" + kAfter + R"("})";
  EXPECT_NE(Problem(Forge::kGitHub, no_repo).find("repository.clone_url"), std::string::npos);
  EXPECT_NE(Problem(Forge::kGitLab, no_repo).find("project.git_http_url"), std::string::npos);
  std::string bad_rev = R"({"ref": "r", "before": "--upload-pack=x", "after": ")" + kAfter +
                        R"(", "repository": {"clone_url": "u"}})";
  EXPECT_NE(Problem(Forge::kGitHub, bad_rev).find("before"), std::string::npos);
  std::string bad_url = R"({"ref": "r", "before": ")" + kBefore + R"(", "after": ")" + kAfter +
                        R"(", "repository": {"clone_url": "--upload-pack=touch x"}})";
  EXPECT_NE(Problem(Forge::kGitHub, bad_url).find("clone URL"), std::string::npos);
}

TEST(WebhookMirror, NamesAreReadableDistinctAndSafe) {
  std::string a = WebhookWorker::MirrorName("https://git.example/team/hello.git");
  EXPECT_EQ(a.rfind("hello.git-", 0), 0u) << a;
  EXPECT_NE(a, WebhookWorker::MirrorName("https://other.example/team/hello.git"));
  std::string b = WebhookWorker::MirrorName("/srv/../..");
  EXPECT_EQ(b.find('/'), std::string::npos);
  EXPECT_NE(b.substr(0, 2), "..");
}

}  // namespace
}  // namespace cbit::web
