// The hooks for real: cbit-hook run by git (post-receive after a real
// `git push`), by svn (post-commit after a real commit) and as a .changes
// filter on a real dpkg-buildpackage result, and forge webhooks signed as the
// forges sign them, against an in-process controller (real SQLite store).
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <thread>

#include "queue/fake_publisher.h"
#include "queue/publisher.h"
#include "tests/support/controller_harness.h"
#include "tests/support/databases.h"
#include "tests/support/debpkg.h"
#include "tests/support/fixture.h"
#include "tests/support/ports.h"
#include "tests/support/postgres.h"
#include "tests/support/web_process.h"
#include "util/subprocess.h"
#include "web/webhook_verify.h"

namespace cbit::testing {
namespace {

namespace fs = std::filesystem;

const std::string kHook = std::string(CBIT_BINARY_DIR) + "/cbit-hook";
const std::string kHooksDir = std::string(CBIT_SOURCE_DIR) + "/hooks";
const std::string kZero(40, '0');
constexpr const char* kGitHubSecret = "gh-secret";
constexpr const char* kGiteaSecret = "gitea-secret";
constexpr const char* kGitLabToken = "gitlab-token";

std::string Trimmed(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  return s;
}

class HookTest : public ::testing::Test {
 protected:
  void SetUp() override {
    static int counter = 0;
    suite_ = "hooks" + std::to_string(++counter);
    scratch_ = fs::absolute(ScratchDir("hooks-" + suite_)).string();
    web::WebhookConfig webhooks;
    webhooks.github_secret = kGitHubSecret;
    webhooks.gitea_secret = kGiteaSecret;
    webhooks.gitlab_token = kGitLabToken;
    webhooks.cache_dir = scratch_ + "/mirrors";
    harness_ = std::make_unique<ControllerHarness>(OpenTestDatabase("sqlite"), publisher_,
                                                   "localhost:18080", webhooks);
    for (auto [path, body] : std::initializer_list<std::pair<std::string, std::string>>{
             {"/arch", "name=amd64"},
             {"/arch", "name=arm64"},
             {"/dist", "name=Debian"},
             {"/format", "name=deb"},
             {"/suite", "name=" + suite_},
             {"/suitearch", "suite=" + suite_ + "&arch=amd64&master_weight=2"},
             {"/suitearch", "suite=" + suite_ + "&arch=arm64&master_weight=1"}}) {
      auto r = harness_->admin().Put(path, body, "application/x-www-form-urlencoded");
      ASSERT_TRUE(r && r->status == 200) << path << (r ? r->body : "");
    }
    config_ = scratch_ + "/hook.json";
    std::ofstream(config_) << R"({"url": "http://127.0.0.1:)" << harness_->port()
                           << R"(", "user": "admin", "password": ")" << kAdminPassword
                           << R"(", "distribution": "Debian", "format": "deb"})";
  }

  // Environment for hooks: the wrappers find cbit-hook through CBIT_HOOK.
  std::vector<std::string> HookEnv() const {
    return {"CBIT_HOOK=" + kHook, "CBIT_HOOK_CONFIG=" + config_};
  }

  PackageSpec Spec(const std::string& version, PackageKind kind = PackageKind::kArchAny) const {
    PackageSpec s;
    s.name = "hello-hook";
    s.version = version;
    s.suite = suite_;
    s.kind = kind;
    return s;
  }

  CommandResult Run(std::vector<std::string> argv, const std::string& cwd = "",
                    std::vector<std::string> env = {}, std::string stdin_data = "") {
    Command cmd;
    cmd.argv = std::move(argv);
    cmd.cwd = cwd;
    cmd.env = std::move(env);
    cmd.stdin_data = std::move(stdin_data);
    cmd.timeout = std::chrono::minutes(5);
    return RunCommand(cmd);
  }

  // A bare repository with the git post-receive wrapper installed.
  std::string BareRepoWithHook(const std::string& name) {
    std::string bare = scratch_ + "/" + name;
    MustRun({"git", "init", "--quiet", "--bare", bare});
    fs::copy_file(kHooksDir + "/git-post-receive", bare + "/hooks/post-receive");
    return bare;
  }

  // Rewrites the package in `work` at `spec` and commits it; returns the commit.
  static std::string Commit(const std::string& work, const PackageSpec& spec) {
    WritePackage(spec, work);
    MustRun({"git", "-C", work, "add", "--all"});
    MustRun({"git", "-C", work, "-c", "user.name=t", "-c", "user.email=t@example.org", "commit",
             "--quiet", "-m", "version " + spec.version});
    return Trimmed(MustRun({"git", "-C", work, "rev-parse", "HEAD"}));
  }

  std::vector<Job> Jobs(const std::string& version = "") {
    std::vector<Job> out;
    for (auto& j : harness_->store().ListJobs({.suite = suite_, .package = "hello-hook"}, {}))
      if (version.empty() || j.instance.package.version == version) out.push_back(j);
    return out;
  }

  Transport TransportOf(const Job& j) {
    auto t = harness_->store().BuildRequestOf(j.id, nullptr);
    return t ? *t : Transport{};
  }

  // Polls until the package version has `n` jobs; false at the deadline.
  bool WaitForJobs(const std::string& version, std::size_t n) {
    auto until = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    while (std::chrono::steady_clock::now() < until) {
      if (Jobs(version).size() >= n) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return Jobs(version).size() >= n;
  }

  queue::FakePublisher publisher_;
  std::unique_ptr<ControllerHarness> harness_;
  std::string suite_, scratch_, config_;
};

TEST_F(HookTest, GitPushOfANewChangelogVersionSubmitsThePushedCommit) {
  std::string bare = BareRepoWithHook("hello.git");
  GitRepo work = MakeGitRepo(Spec("1.0"), scratch_ + "/work");

  // A new branch: every package at its tip.
  CommandResult first = Run({"git", "push", bare, "HEAD:refs/heads/main"}, work.path, HookEnv());
  ASSERT_TRUE(first.ok()) << first.output;
  EXPECT_NE(first.output.find("submitted hello-hook 1.0"), std::string::npos) << first.output;
  auto v1 = Jobs("1.0");
  ASSERT_EQ(v1.size(), 2u) << first.output;  // architecture any: both arches of the suite
  EXPECT_EQ(TransportOf(v1[0]).method, "git");
  EXPECT_EQ(TransportOf(v1[0]).uri, bare);
  EXPECT_EQ(TransportOf(v1[0]).vcs_id, work.commit);

  // A commit that leaves the changelog alone submits nothing.
  std::ofstream(work.path + "/README") << "docs\n";
  MustRun({"git", "-C", work.path, "add", "README"});
  MustRun({"git", "-C", work.path, "-c", "user.name=t", "-c", "user.email=t@example.org", "commit",
           "--quiet", "-m", "docs"});
  CommandResult docs = Run({"git", "push", bare, "HEAD:refs/heads/main"}, work.path, HookEnv());
  ASSERT_TRUE(docs.ok()) << docs.output;
  EXPECT_EQ(docs.output.find("submitted"), std::string::npos) << docs.output;

  // A new version, now arch:all: one job, the pushed commit, on the suite.
  std::string c2 = Commit(work.path, Spec("1.1", PackageKind::kArchAll));
  CommandResult second = Run({"git", "push", bare, "HEAD:refs/heads/main"}, work.path, HookEnv());
  ASSERT_TRUE(second.ok()) << second.output;
  auto v2 = Jobs("1.1");
  ASSERT_EQ(v2.size(), 1u) << second.output;
  EXPECT_EQ(v2[0].instance.suite.name, suite_);
  EXPECT_EQ(v2[0].instance.dist.name, "Debian");
  EXPECT_EQ(v2[0].instance.arch.name, "amd64");  // the suite's master arch
  EXPECT_EQ(TransportOf(v2[0]).vcs_id, c2);
  EXPECT_EQ(Jobs().size(), 3u);
}

TEST_F(HookTest, GitMalformedChangelogIsReportedAndNotSubmitted) {
  std::string bare = BareRepoWithHook("broken.git");
  GitRepo work = MakeGitRepo(Spec("1.0"), scratch_ + "/work");
  std::ofstream(work.path + "/debian/changelog")
      << "hello-hook (not a version!) " << suite_ << "; urgency=low\n";
  MustRun({"git", "-C", work.path, "-c", "user.name=t", "-c", "user.email=t@example.org", "commit",
           "--quiet", "-am", "broken"});
  std::string head = Trimmed(MustRun({"git", "-C", work.path, "rev-parse", "HEAD"}));

  // git cannot fail a push from post-receive; the pusher sees the message.
  CommandResult push = Run({"git", "push", bare, "HEAD:refs/heads/main"}, work.path, HookEnv());
  ASSERT_TRUE(push.ok()) << push.output;
  EXPECT_NE(push.output.find("remote: cbit-hook: refs/heads/main: NOT submitted: "
                             "debian/changelog"),
            std::string::npos)
      << push.output;
  // The hook itself exits 2.
  CommandResult direct = Run({kHook, "git-post-receive"}, bare, {"CBIT_HOOK_CONFIG=" + config_},
                             kZero + " " + head + " refs/heads/main\n");
  EXPECT_EQ(direct.exit_code, 2) << direct.output;
  EXPECT_NE(direct.output.find("is not a Debian version"), std::string::npos) << direct.output;
  EXPECT_TRUE(Jobs().empty());
}

// Two cbit-web on one PostgreSQL database: a hook configured with both URLs
// submits to the second while the first is down, and the job is the farm's
// (the first sees it once it is back).
TEST_F(HookTest, AHookFailsOverToTheSecondControllerWhenTheFirstIsDown) {
  const nlohmann::json db = {{"backend", "postgres"}, {"conninfo", FreshPostgresDatabase()}};
  // Nothing listens at the AMQP port: submissions wait in the outbox.
  WebSetup first{scratch_, FreePort(), FreePort(), nullptr, db};
  WebSetup second{scratch_, FreePort(), first.amqp_port, nullptr, db};
  auto a = std::make_unique<WebProcess>(first);
  WebProcess b(second);
  httplib::Client admin("127.0.0.1", first.port);
  admin.set_basic_auth(kAdminUser, kAdminPassword);
  for (auto [path, body] : std::initializer_list<std::pair<std::string, std::string>>{
           {"/arch", "name=amd64"},
           {"/dist", "name=Debian"},
           {"/format", "name=deb"},
           {"/suite", "name=" + suite_},
           {"/suitearch", "suite=" + suite_ + "&arch=amd64&master_weight=1"}}) {
    auto r = admin.Put(path, body, "application/x-www-form-urlencoded");
    ASSERT_TRUE(r && r->status == 200) << path << (r ? r->body : "");
  }
  std::ofstream(scratch_ + "/both.json")
      << R"({"url": ["http://127.0.0.1:)" << first.port << R"(", "http://127.0.0.1:)" << second.port
      << R"("], "user": "admin", "password": ")" << kAdminPassword << R"("})";
  a->Kill();

  std::string bare = BareRepoWithHook("failover.git");
  GitRepo work = MakeGitRepo(Spec("1.0"), scratch_ + "/work");
  MustRun({"git", "push", "--quiet", bare, "HEAD:refs/heads/main"}, work.path);
  CommandResult r = Run({kHook, "--config", scratch_ + "/both.json", "git-post-receive"}, bare, {},
                        kZero + " " + work.commit + " refs/heads/main\n");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("submitted hello-hook 1.0"), std::string::npos) << r.output;

  a = std::make_unique<WebProcess>(first);
  auto jobs = admin.Get("/job?package=hello-hook");
  ASSERT_TRUE(jobs && jobs->status == 200);
  EXPECT_EQ(nlohmann::json::parse(jobs->body).size(), 1u) << jobs->body;
}

TEST_F(HookTest, UnreachableControllerIsANonZeroExitWithTheReason) {
  std::string bare = BareRepoWithHook("hello.git");
  GitRepo work = MakeGitRepo(Spec("1.0"), scratch_ + "/work");
  MustRun({"git", "push", "--quiet", bare, "HEAD:refs/heads/main"}, work.path);
  // Port 1 on the loopback: nothing listens there.
  CommandResult r = Run({kHook, "git-post-receive"}, bare,
                        {"CBIT_HOOK_CONFIG=" + config_, "CBIT_URL=http://127.0.0.1:1"},
                        kZero + " " + work.commit + " refs/heads/main\n");
  EXPECT_EQ(r.exit_code, 3) << r.output;
  EXPECT_NE(r.output.find("NOT submitted hello-hook 1.0"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("cannot reach the controller at http://127.0.0.1:1"), std::string::npos)
      << r.output;

  // A controller that refuses (unknown suite) is reported with its message.
  std::ofstream(scratch_ + "/other.json") << R"({"url": "http://127.0.0.1:)" << harness_->port()
                                          << R"(", "user": "admin", "password": ")"
                                          << kAdminPassword << R"(", "distribution": "Nope"})";
  CommandResult refused = Run({kHook, "--config", scratch_ + "/other.json", "git-post-receive"},
                              bare, {}, kZero + " " + work.commit + " refs/heads/main\n");
  EXPECT_EQ(refused.exit_code, 3) << refused.output;
  EXPECT_NE(refused.output.find("HTTP 400"), std::string::npos) << refused.output;
  EXPECT_NE(refused.output.find("Nope"), std::string::npos) << refused.output;
  EXPECT_TRUE(Jobs().empty());
}

TEST_F(HookTest, SvnPostCommitSubmitsTheCommittedPackageDirectory) {
  std::string repo = scratch_ + "/svnrepo";
  MustRun({"svnadmin", "create", repo});
  fs::copy_file(kHooksDir + "/svn-post-commit", repo + "/hooks/post-commit");
  // svn runs hooks with an empty environment: conf/hooks-env gives them one.
  std::ofstream(repo + "/conf/hooks-env")
      << "[default]\nCBIT_HOOK = " << kHook << "\nCBIT_HOOK_CONFIG = " << config_ << "\n";
  std::string tree = scratch_ + "/tree";
  WritePackage(Spec("2.0"), tree);
  CommandResult r = Run(
      {"svn", "import", "--non-interactive", "-m", "import", tree, "file://" + repo + "/trunk"});
  ASSERT_TRUE(r.ok()) << r.output;
  EXPECT_EQ(r.output.find("post-commit hook failed"), std::string::npos) << r.output;
  std::string rev = Trimmed(MustRun({"svnlook", "youngest", repo}));
  auto jobs = Jobs("2.0");
  ASSERT_EQ(jobs.size(), 2u) << r.output;
  Transport t = TransportOf(jobs[0]);
  EXPECT_EQ(t.method, "svn");
  EXPECT_EQ(t.uri, "file://" + repo + "/trunk");  // uri + directory, as the client exports it
  EXPECT_EQ(t.vcs_id, rev);

  // A malformed control file fails the hook; svn reports it, nothing is submitted.
  std::string wc = scratch_ + "/wc";
  MustRun({"svn", "checkout", "--quiet", "file://" + repo + "/trunk", wc});
  std::ofstream(wc + "/debian/changelog") << "hello-hook (2.1) " << suite_ << "; urgency=low\n";
  std::ofstream(wc + "/debian/control") << "Source: hello-hook\n";
  CommandResult bad = Run({"svn", "commit", "--non-interactive", "-m", "broken", wc});
  EXPECT_NE(bad.output.find("post-commit hook failed (exit code 2)"), std::string::npos)
      << bad.output;
  EXPECT_NE(bad.output.find("no binary package"), std::string::npos) << bad.output;
  EXPECT_TRUE(Jobs("2.1").empty());
}

TEST_F(HookTest, ChangesMailFromDpkgBuildpackageBecomesAnAptJob) {
  std::string src = scratch_ + "/hello-hook-3.0";
  WritePackage(Spec("3.0", PackageKind::kArchAll), src);
  MustRun({"dpkg-buildpackage", "-us", "-uc", "--build=source,all"}, src);
  std::string changes_path = scratch_ + "/hello-hook_3.0_all.changes";
  ASSERT_TRUE(fs::exists(changes_path));
  std::ifstream in(changes_path);
  std::string changes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::string mail = "From: dak@example.org\nTo: builds@example.org\nSubject: Accepted " +
                     changes_path + "\n\nThe upload below was accepted:\n\n" + changes +
                     "\nThank you.\n";
  CommandResult r = Run({kHooksDir + "/procmail-changes"}, "", HookEnv(), mail);
  ASSERT_TRUE(r.ok()) << r.output;
  auto jobs = Jobs("3.0");
  ASSERT_EQ(jobs.size(), 1u) << r.output;  // Architecture: source all → all
  EXPECT_EQ(TransportOf(jobs[0]).method, "apt");
  EXPECT_EQ(jobs[0].instance.suite.name, suite_);

  // Not a .changes: exit 2 with the reason, nothing submitted.
  CommandResult none = Run({kHook, "changes"}, "", HookEnv(), "From: a@b\n\nhello\n");
  EXPECT_EQ(none.exit_code, 2) << none.output;
  EXPECT_NE(none.output.find("no .changes text"), std::string::npos) << none.output;
  EXPECT_EQ(Jobs().size(), 1u);
}

// Webhooks ------------------------------------------------------------------

std::string PushPayload(const std::string& key, const std::string& url, const std::string& before,
                        const std::string& after) {
  return R"({"ref": "refs/heads/main", "before": ")" + before + R"(", "after": ")" + after +
         R"(", ")" + key + R"(": {"name": "hello", ")" +
         (key == "project" ? "git_http_url" : "clone_url") + R"(": ")" + url +
         R"("}, "commits": []})";
}

httplib::Result PostWebhook(httplib::Client& c, const std::string& forge, const std::string& body,
                            httplib::Headers headers) {
  return c.Post("/webhook/" + forge, headers, body, "application/json");
}

TEST_F(HookTest, WebhookSignedPushesFromEachForgeBecomeJobs) {
  std::string bare = scratch_ + "/forge.git";
  MustRun({"git", "init", "--quiet", "--bare", bare});
  GitRepo work = MakeGitRepo(Spec("1.0", PackageKind::kArchAll), scratch_ + "/work");
  MustRun({"git", "push", "--quiet", bare, "HEAD:refs/heads/main"}, work.path);
  auto& c = harness_->anon();  // webhooks carry signatures, not credentials

  // Refused before anything is queued: the payload names version 1.0.
  std::string p1 = PushPayload("repository", bare, kZero, work.commit);
  auto missing = PostWebhook(c, "github", p1, {{"X-GitHub-Event", "push"}});
  ASSERT_TRUE(missing);
  EXPECT_EQ(missing->status, 401);
  EXPECT_NE(missing->body.find("X-Hub-Signature-256 is missing"), std::string::npos);
  auto wrong =
      PostWebhook(c, "github", p1,
                  {{"X-GitHub-Event", "push"},
                   {"X-Hub-Signature-256", "sha256=" + web::HmacSha256Hex("not the secret", p1)}});
  ASSERT_TRUE(wrong);
  EXPECT_EQ(wrong->status, 401);
  EXPECT_NE(wrong->body.find("does not match"), std::string::npos);
  auto tampered = PostWebhook(
      c, "gitea", p1 + " ",
      {{"X-Gitea-Event", "push"}, {"X-Gitea-Signature", web::HmacSha256Hex(kGiteaSecret, p1)}});
  ASSERT_TRUE(tampered);
  EXPECT_EQ(tampered->status, 401);
  std::string gl1 = PushPayload("project", bare, kZero, work.commit);
  auto bad_token =
      PostWebhook(c, "gitlab", gl1, {{"X-Gitlab-Event", "Push Hook"}, {"X-Gitlab-Token", "guess"}});
  ASSERT_TRUE(bad_token);
  EXPECT_EQ(bad_token->status, 401);
  // Correctly signed, but a ping, or not JSON.
  auto ping =
      PostWebhook(c, "github", p1,
                  {{"X-GitHub-Event", "ping"},
                   {"X-Hub-Signature-256", "sha256=" + web::HmacSha256Hex(kGitHubSecret, p1)}});
  ASSERT_TRUE(ping);
  EXPECT_EQ(ping->status, 200);
  EXPECT_NE(ping->body.find("ignored"), std::string::npos);
  std::string junk = "{not json";
  auto bad_json =
      PostWebhook(c, "github", junk,
                  {{"X-GitHub-Event", "push"},
                   {"X-Hub-Signature-256", "sha256=" + web::HmacSha256Hex(kGitHubSecret, junk)}});
  ASSERT_TRUE(bad_json);
  EXPECT_EQ(bad_json->status, 400);
  EXPECT_NE(bad_json->body.find("not valid JSON"), std::string::npos);

  // GitHub: version 1.1 pushed on top of 1.0.
  std::string c2 = Commit(work.path, Spec("1.1", PackageKind::kArchAll));
  MustRun({"git", "push", "--quiet", bare, "HEAD:refs/heads/main"}, work.path);
  std::string p2 = PushPayload("repository", bare, work.commit, c2);
  auto gh =
      PostWebhook(c, "github", p2,
                  {{"X-GitHub-Event", "push"},
                   {"X-Hub-Signature-256", "sha256=" + web::HmacSha256Hex(kGitHubSecret, p2)}});
  ASSERT_TRUE(gh);
  EXPECT_EQ(gh->status, 202) << gh->body;
  EXPECT_NE(gh->body.find("\"queued\""), std::string::npos) << gh->body;
  ASSERT_TRUE(WaitForJobs("1.1", 1));
  auto v11 = Jobs("1.1");
  EXPECT_EQ(TransportOf(v11[0]).uri, bare);
  EXPECT_EQ(TransportOf(v11[0]).vcs_id, c2);
  // The refused deliveries (version 1.0) were never queued: the worker takes
  // pushes in order, so they would have been submitted before 1.1.
  EXPECT_TRUE(Jobs("1.0").empty());

  // Gitea: 1.2.
  std::string c3 = Commit(work.path, Spec("1.2", PackageKind::kArchAll));
  MustRun({"git", "push", "--quiet", bare, "HEAD:refs/heads/main"}, work.path);
  std::string p3 = PushPayload("repository", bare, c2, c3);
  auto gitea = PostWebhook(
      c, "gitea", p3,
      {{"X-Gitea-Event", "push"}, {"X-Gitea-Signature", web::HmacSha256Hex(kGiteaSecret, p3)}});
  ASSERT_TRUE(gitea);
  EXPECT_EQ(gitea->status, 202) << gitea->body;
  ASSERT_TRUE(WaitForJobs("1.2", 1));
  EXPECT_EQ(TransportOf(Jobs("1.2")[0]).vcs_id, c3);

  // GitLab: 1.3, the mirror fetches again.
  std::string c4 = Commit(work.path, Spec("1.3"));
  MustRun({"git", "push", "--quiet", bare, "HEAD:refs/heads/main"}, work.path);
  std::string p4 = PushPayload("project", bare, c3, c4);
  auto gl = PostWebhook(c, "gitlab", p4,
                        {{"X-Gitlab-Event", "Push Hook"}, {"X-Gitlab-Token", kGitLabToken}});
  ASSERT_TRUE(gl);
  EXPECT_EQ(gl->status, 202) << gl->body;
  ASSERT_TRUE(WaitForJobs("1.3", 2));  // architecture any: both arches
  EXPECT_EQ(TransportOf(Jobs("1.3")[0]).vcs_id, c4);
  EXPECT_TRUE(Jobs("1.0").empty());
}

TEST(WebhookUnconfigured, AControllerWithoutSecretsAnswers401) {
  queue::FakePublisher publisher;
  ControllerHarness harness(OpenTestDatabase("sqlite"), publisher);
  std::string body = R"({"ref": "refs/heads/main"})";
  auto r = harness.anon().Post(
      "/webhook/github",
      {{"X-GitHub-Event", "push"},
       {"X-Hub-Signature-256", "sha256=" + web::HmacSha256Hex("anything", body)}},
      body, "application/json");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 401);
  EXPECT_NE(r->body.find("not configured"), std::string::npos) << r->body;
}

}  // namespace
}  // namespace cbit::testing
