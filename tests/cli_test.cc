// The `cbit` command against a real controller, a real RabbitMQ node and
// real build clients (dry-run or host builds): submissions from a git tree
// and a .changes, --wait's exit statuses, the exit statuses of refusals,
// --json against the API, login's config file, and log -f across a
// controller restart (a cbit-web process killed and started again).
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <future>
#include <thread>

#include "cli/test_io.h"
#include "tests/support/client_e2e.h"
#include "tests/support/fixture.h"
#include "tests/support/ports.h"
#include "tests/support/web_process.h"
#include "util/subprocess.h"

namespace cbit::testing {
namespace {

using std::chrono::seconds;
using namespace std::chrono_literals;
using cli::TestCli;

class Cli : public ClientE2e {
 protected:
  std::string Url() { return "http://127.0.0.1:" + std::to_string(harness().port()); }
  // A run of cbit with the admin's token (or `token`) and a home of its own.
  TestCli Cbit(const std::string& token = "") {
    if (admin_token_.empty()) admin_token_ = harness().AddToken("cli", web::Role::kAdmin);
    TestCli c;
    c.real_sleep = true;
    c.env = {{"HOME", scratch() + "/home"},
             {"CBIT_SITE_CONFIG", scratch() + "/no-site.json"},
             {"CBIT_URL", Url()},
             {"CBIT_TOKEN", token.empty() ? admin_token_ : token}};
    return c;
  }
  // A clone of the package's repository, its branch tracking the origin.
  std::string Clone(const GitRepo& repo) {
    std::string work = scratch() + "/work";
    MustRun({"git", "clone", "-q", repo.path, work});
    return work;
  }
  std::size_t JobCount() { return harness().store().ListJobs({}, {}).size(); }
  std::string admin_token_;
};

TEST_F(Cli, SubmitFromAGitTreeFollowsItsLogUntilDoneAndRefusesADirtyTree) {
  PackageSpec spec{.name = "hello-cli", .suite = suite()};
  GitRepo repo = MakeGitRepo(spec, scratch());
  std::string work = Clone(repo);
  ClientSetup setup = Client("build_client_cli");
  setup.dry_run = true;
  ClientProcess client(setup);
  TestCli cbit = Cbit();
  ASSERT_EQ(cbit.Run({"submit", work, "--follow", "--poll-ms", "200"}), 0) << cbit.err;
  EXPECT_NE(cbit.out.find("submitted hello-cli 1.0 (suite " + suite()), std::string::npos)
      << cbit.out;
  EXPECT_NE(cbit.out.find(": Done"), std::string::npos) << cbit.out;
  Id job = harness().store().ListJobs({.package = "hello-cli"}, {}).back().id;
  std::string log = LogOf(job);
  EXPECT_NE(log.find(repo.path), std::string::npos) << log;
  EXPECT_NE(log.find(repo.commit), std::string::npos) << log;
  EXPECT_NE(cbit.out.find(log), std::string::npos) << cbit.out;  // --follow showed it whole

  std::ofstream(work + "/debian/control", std::ios::app) << "\n";
  std::size_t before = JobCount();
  EXPECT_EQ(cbit.Run({"submit", work}), 2);
  EXPECT_NE(cbit.err.find("not committed"), std::string::npos) << cbit.err;
  EXPECT_EQ(JobCount(), before);
  EXPECT_EQ(client.Stop(), 0);
}

TEST_F(Cli, SubmitFromAChangesFileIsMethodApt) {
  std::string changes = scratch() + "/hello-apt_2.0-1_" + HostArch() + ".changes";
  std::ofstream(changes) << "Format: 1.8\nSource: hello-apt\nVersion: 2.0-1\nDistribution: "
                         << suite() << "\nArchitecture: source " << HostArch()
                         << "\nFiles:\n 0123 1 devel optional hello-apt_2.0-1.dsc\n";
  TestCli cbit = Cbit();
  ASSERT_EQ(cbit.Run({"-q", "submit", changes}), 0) << cbit.err;
  Id job = std::stoll(cbit.out);
  ASSERT_EQ(cbit.Run({"--json", "show", std::to_string(job)}), 0) << cbit.err;
  auto j = nlohmann::json::parse(cbit.out);
  EXPECT_EQ(j["packageinstance"]["package"]["name"], "hello-apt");
  EXPECT_EQ(j["packageinstance"]["package"]["version"], "2.0-1");
  EXPECT_EQ(j["packageinstance"]["arch"]["name"], HostArch());
}

TEST_F(Cli, WaitExitsOneWhenTheBuildFails) {
  PackageSpec spec{.name = "hello-broken", .suite = suite(), .kind = PackageKind::kArchAnyBroken};
  GitRepo repo = MakeGitRepo(spec, scratch());
  ClientProcess client(Client("build_client_cli_f"));
  TestCli cbit = Cbit();
  EXPECT_EQ(cbit.Run({"submit", "--package", spec.name, "--version", spec.version, "--suite",
                      suite(), "--arch", "any", "--method", "git", "--uri", repo.path, "--vcs-id",
                      repo.commit, "--wait", "--poll-ms", "200"}),
            1)
      << cbit.err;
  EXPECT_NE(cbit.out.find(": Failed"), std::string::npos) << cbit.out;
  EXPECT_EQ(client.Stop(), 0);
}

TEST_F(Cli, WaitExitsOneWhenTheJobIsCancelled) {
  TestCli waiting = Cbit();
  auto result = std::async(std::launch::async, [&] {
    return waiting.Run({"submit", "--package", "hello-cancel", "--version", "1.0", "--suite",
                        suite(), "--arch", "any", "--method", "git", "--uri", "/nowhere", "--wait",
                        "--poll-ms", "100"});
  });
  ASSERT_TRUE(WaitFor([&] { return JobCount() > 0; }, seconds(30)));
  TestCli cbit = Cbit();
  Id job = harness().store().ListJobs({}, {}).back().id;
  ASSERT_EQ(cbit.Run({"cancel", std::to_string(job)}), 0) << cbit.err;
  EXPECT_EQ(cbit.out, "job " + std::to_string(job) + ": Cancelled\n");
  ASSERT_EQ(result.wait_for(30s), std::future_status::ready);
  EXPECT_EQ(result.get(), 1) << waiting.err;
  EXPECT_NE(waiting.out.find("job " + std::to_string(job) + ": Cancelled"), std::string::npos);
  // Cancelling it again: the controller's 409 message, exit 1.
  EXPECT_EQ(cbit.Run({"cancel", std::to_string(job)}), 1);
  EXPECT_NE(cbit.err.find("has already finished"), std::string::npos) << cbit.err;
}

TEST_F(Cli, RefusalsMapToTheirExitStatuses) {
  TestCli reader = Cbit(harness().AddToken("r", web::Role::kReader));
  EXPECT_EQ(reader.Run({"cancel", "--all"}), 4);
  EXPECT_NE(reader.err.find("HTTP 403"), std::string::npos) << reader.err;
  TestCli wrong = Cbit("cbit_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA");
  EXPECT_EQ(wrong.Run({"cancel", "--all"}), 4);
  EXPECT_NE(wrong.err.find("HTTP 401"), std::string::npos) << wrong.err;
  TestCli cbit = Cbit();
  EXPECT_EQ(cbit.Run({"show", "999999"}), 5);
  EXPECT_NE(cbit.err.find("HTTP 404"), std::string::npos) << cbit.err;
  EXPECT_EQ(cbit.Run({"log", "999999"}), 5);
  EXPECT_EQ(cbit.Run({"submit", "--package", "hello-x", "--version", "1", "--suite", "nosuchsuite",
                      "--method", "git", "--uri", "/x", "--arch", "any"}),
            1);
  EXPECT_NE(cbit.err.find("nosuchsuite"), std::string::npos) << cbit.err;
}

TEST_F(Cli, TheBinaryExitsThreeWhenTheControllerIsUnreachable) {
  int port = FreePort();
  Command c{.argv = {std::string(CBIT_BINARY_DIR) + "/cbit", "--url",
                     "http://127.0.0.1:" + std::to_string(port), "jobs"},
            .env = {"HOME=" + scratch(), "CBIT_SITE_CONFIG=/nonexistent"}};
  CommandResult r = RunCommand(c);
  EXPECT_EQ(r.exit_code, 3) << r.output;
  EXPECT_NE(r.output.find("cannot reach the controller"), std::string::npos) << r.output;
}

TEST_F(Cli, JsonListingsAreTheApisAnswers) {
  TestCli cbit = Cbit();
  for (const char* name : {"json-a", "json-b"})
    ASSERT_EQ(cbit.Run({"submit", "--package", name, "--version", "1.0", "--suite", suite(),
                        "--arch", "any", "--method", "git", "--uri", "/nowhere"}),
              0)
        << cbit.err;
  ASSERT_EQ(cbit.Run({"--json", "jobs", "--all"}), 0);
  auto api = harness().admin().Get("/job");
  ASSERT_TRUE(api);
  EXPECT_EQ(nlohmann::json::parse(cbit.out), nlohmann::json::parse(api->body));
  ASSERT_EQ(cbit.Run({"--json", "jobs", "--package", "json-b"}), 0);
  auto rows = harness().admin().Get("/job?package=json-b&view=rows&limit=50");
  EXPECT_EQ(nlohmann::json::parse(cbit.out), nlohmann::json::parse(rows->body));
  EXPECT_EQ(nlohmann::json::parse(cbit.out).size(), 1U) << cbit.out;
  ASSERT_EQ(cbit.Run({"--json", "jobs", "--package", "json-b", "--page", "1"}), 0);
  auto page = harness().admin().Get("/job/page/1?package=json-b");
  EXPECT_EQ(nlohmann::json::parse(cbit.out), nlohmann::json::parse(page->body));
  std::string ids, newest_first;
  for (const auto& j : nlohmann::json::parse(api->body)) {
    ids += j["id"].dump() + "\n";
    newest_first = j["id"].dump() + "\n" + newest_first;
  }
  ASSERT_EQ(cbit.Run({"-q", "jobs"}), 0);
  EXPECT_EQ(cbit.out, newest_first) << "by default the newest jobs, newest first";
  ASSERT_EQ(cbit.Run({"-q", "jobs", "--page", "1"}), 0);
  EXPECT_EQ(cbit.out, ids);
  ASSERT_EQ(cbit.Run({"jobs", "--status", "Waiting"}), 0);
  EXPECT_NE(cbit.out.find("json-a"), std::string::npos) << cbit.out;
  EXPECT_NE(cbit.out.find("Waiting"), std::string::npos) << cbit.out;
  ASSERT_EQ(cbit.Run({"--json", "history", ids.substr(0, ids.find('\n'))}), 0);
  EXPECT_EQ(nlohmann::json::parse(cbit.out)[0]["status"], "Waiting");

  // The newest-first page: one request, statuses included, an age filter.
  cbit.real_clock = true;
  ASSERT_EQ(cbit.Run({"-q", "jobs", "--since", "1h"}), 0) << cbit.err;
  EXPECT_EQ(cbit.out, newest_first);
  ASSERT_EQ(cbit.Run({"jobs", "--since", "1h", "--package", "json-a"}), 0) << cbit.err;
  EXPECT_NE(cbit.out.find("json-a"), std::string::npos) << cbit.out;
  EXPECT_NE(cbit.out.find("Waiting"), std::string::npos) << cbit.out;
  EXPECT_EQ(cbit.out.find("json-b"), std::string::npos) << cbit.out;
  ASSERT_EQ(cbit.Run({"-q", "jobs", "--limit", "1"}), 0) << cbit.err;
  EXPECT_EQ(cbit.out, newest_first.substr(0, newest_first.find('\n') + 1));
  std::this_thread::sleep_for(2s);
  ASSERT_EQ(cbit.Run({"-q", "jobs", "--since", "1s"}), 0) << cbit.err;
  EXPECT_EQ(cbit.out, "") << "no job's status is younger than 1 s";
}

TEST_F(Cli, LoginChecksAndStoresTheTokenMode0600AndLogoutForgetsIt) {
  TestCli cbit;
  cbit.env = {{"XDG_CONFIG_HOME", scratch() + "/xdg"},
              {"CBIT_SITE_CONFIG", scratch() + "/no-site.json"}};
  std::string path = scratch() + "/xdg/cbit/config";
  cbit.stdin_text = "cbit_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\n";
  EXPECT_EQ(cbit.Run({"--url", Url(), "login"}), 4);
  EXPECT_FALSE(std::filesystem::exists(path));
  cbit.stdin_text = harness().AddToken("me", web::Role::kAdmin) + "\n";
  ASSERT_EQ(cbit.Run({"--url", Url(), "login"}), 0) << cbit.err;
  EXPECT_NE(cbit.out.find("(admin)"), std::string::npos) << cbit.out;
  struct stat st {};
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  EXPECT_EQ(cbit.Run({"cancel", "--all"}), 0) << cbit.err;  // URL and token from the file
  cbit.stdin_text = std::string(kAdminPassword) + "\n";
  ASSERT_EQ(cbit.Run({"--url", Url(), "login", "--user", kAdminUser}), 0) << cbit.err;
  ASSERT_EQ(cbit.Run({"logout"}), 0);
  EXPECT_FALSE(std::filesystem::exists(path));
  EXPECT_EQ(cbit.Run({"jobs"}), 2);
  // On a terminal: the URL, an empty token, then a user and password.
  cbit.terminal = true;
  cbit.answers = {Url(), "", kAdminUser, kAdminPassword};
  ASSERT_EQ(cbit.Run({"login"}), 0) << cbit.err;
  EXPECT_NE(cbit.out.find("(admin)"), std::string::npos) << cbit.out;
  EXPECT_EQ(cbit.Run({"clients"}), 0) << cbit.err;
}

// The completion script of the binary, run by bash as completion would:
// job ids and lookup names come from the controller.
TEST_F(Cli, CompletionListsLiveJobIdsAndLookupNames) {
  TestCli cbit = Cbit();
  ASSERT_EQ(cbit.Run({"-q", "submit", "--package", "hello-comp", "--version", "1.0", "--suite",
                      suite(), "--arch", "any", "--method", "git", "--uri", "/nowhere"}),
            0)
      << cbit.err;
  std::string id = cbit.out.substr(0, cbit.out.find('\n'));
  ASSERT_EQ(cbit.Run({"completion", "bash"}), 0);
  std::string script = scratch() + "/cbit.bash";
  std::ofstream(script) << cbit.out;
  auto complete = [&](const std::string& words) {
    Command c{
        .argv = {"bash", "-c",
                 "source \"$1\"; COMP_WORDS=($2); COMP_CWORD=$((${#COMP_WORDS[@]} - 1)); "
                 "_cbit; printf '%s\\n' \"${COMPREPLY[@]}\"",
                 "bash", script, words},
        .env = {"PATH=" + std::string(CBIT_BINARY_DIR) + ":" + getenv("PATH"), "CBIT_URL=" + Url(),
                "CBIT_TOKEN=" + admin_token_, "HOME=" + scratch() + "/home"}};
    CommandResult r = RunCommand(c);
    EXPECT_TRUE(r.ok()) << r.output;
    return r.output;
  };
  EXPECT_NE(complete("cbit show ''").find(id + "\n"), std::string::npos);
  EXPECT_EQ(complete("cbit sub"), "submit\n");
  EXPECT_NE(complete("cbit jobs --suite ''").find(suite() + "\n"), std::string::npos);
  EXPECT_EQ(complete("cbit log --fo"), "--follow\n");
}

constexpr const char* kForm = "application/x-www-form-urlencoded";

// The catalog of one target, then one job of it; its id.
void SubmitOne(httplib::Client& admin, std::string& job) {
  for (auto [path, body] : std::initializer_list<std::pair<std::string, std::string>>{
           {"/arch", "name=amd64"},
           {"/dist", "name=Debian"},
           {"/format", "name=deb"},
           {"/suite", "name=chickpea"},
           {"/suitearch", "suite=chickpea&arch=amd64&master_weight=1"}})
    ASSERT_EQ(admin.Put(path, body, kForm)->status, 200) << path;
  auto r = admin.Post("/job/vcshook",
                      "package=hello&package_version=1.0&suite=chickpea&distribution=Debian&"
                      "architecture_list=amd64&format=deb&method=git&uri=/nowhere",
                      kForm);
  ASSERT_TRUE(r && r->status == 200);
  job = nlohmann::json::parse(r->body)["jobs"][0].dump();
}

// The log written through the API as a client would, with the controller
// killed and started again while `cbit log -f` follows it.
TEST(CliLog, FollowLosesAndRepeatsNothingAcrossAControllerRestart) {
  std::string dir = ScratchDir("cli-restart");
  WebSetup setup{dir, FreePort(), FreePort(), nullptr};
  auto web = std::make_unique<WebProcess>(setup);
  httplib::Client admin("127.0.0.1", setup.port);
  admin.set_basic_auth(kAdminUser, kAdminPassword);
  const char* form = kForm;
  std::string job;
  ASSERT_NO_FATAL_FAILURE(SubmitOne(admin, job));
  ASSERT_EQ(admin.Put("/job/" + job, "status=Building&client=bc", form)->status, 200);
  std::string sent;
  auto append = [&](const std::string& text) {
    auto a = admin.Post("/job/" + job + "/log?offset=" + std::to_string(sent.size()), text,
                        "text/plain");
    ASSERT_TRUE(a && a->status == 200);
    sent += text;
  };
  ASSERT_NO_FATAL_FAILURE(append("line 1\n"));

  TestCli cbit;
  cbit.real_sleep = true;
  cbit.env = {{"HOME", dir},
              {"CBIT_SITE_CONFIG", dir + "/none"},
              {"CBIT_URL", "http://127.0.0.1:" + std::to_string(setup.port)}};
  auto follow = std::async(std::launch::async, [&] { return cbit.Run({"log", "-f", job}); });
  std::this_thread::sleep_for(1s);
  ASSERT_NO_FATAL_FAILURE(append("line 2, half"));
  std::this_thread::sleep_for(500ms);
  web->Kill();
  web.reset();
  std::this_thread::sleep_for(1500ms);
  web = std::make_unique<WebProcess>(setup);
  ASSERT_NO_FATAL_FAILURE(append(" and the rest\nline 3\n"));
  std::this_thread::sleep_for(500ms);
  ASSERT_NO_FATAL_FAILURE(append("line 4\n"));
  ASSERT_EQ(admin.Put("/job/" + job, "status=Done", form)->status, 200);
  ASSERT_EQ(follow.wait_for(60s), std::future_status::ready);
  EXPECT_EQ(follow.get(), 0) << cbit.err;
  EXPECT_EQ(cbit.out, sent);
  EXPECT_NE(cbit.err.find("retrying"), std::string::npos) << cbit.err;
  EXPECT_NE(cbit.err.find("reconnected"), std::string::npos) << cbit.err;
  EXPECT_EQ(web->Stop(), 0);
}

// `cbit watch JOB` on the controller's event stream. Polling once a minute
// (--poll-ms 60000) would see nothing within the test's bounds; every change
// arrives, in order, also one made while the watch had lost its connection
// to a controller killed and started again. The watch ends at the job's
// first finished status (Done), so the test ends the job there.
TEST(CliWatch, FollowsTheEventStreamAcrossAControllerRestart) {
  std::string dir = ScratchDir("cli-watch");
  WebSetup setup{dir, FreePort(), FreePort(), nullptr};
  auto web = std::make_unique<WebProcess>(setup);
  httplib::Client admin("127.0.0.1", setup.port);
  admin.set_basic_auth(kAdminUser, kAdminPassword);
  std::string job;
  ASSERT_NO_FATAL_FAILURE(SubmitOne(admin, job));

  TestCli cbit;
  cbit.real_sleep = true;
  cbit.env = {{"HOME", dir},
              {"CBIT_SITE_CONFIG", dir + "/none"},
              {"CBIT_URL", "http://127.0.0.1:" + std::to_string(setup.port)}};
  auto watch = std::async(std::launch::async, [&] {
    return cbit.Run({"watch", job, "--poll-ms", "60000"});
  });
  std::this_thread::sleep_for(1500ms);
  ASSERT_EQ(admin.Put("/job/" + job, "status=Building&client=bc", kForm)->status, 200);
  std::this_thread::sleep_for(1s);
  web->Kill();
  web.reset();
  web = std::make_unique<WebProcess>(setup);
  ASSERT_EQ(admin.Put("/job/" + job, "status=Done", kForm)->status, 200);
  ASSERT_EQ(watch.wait_for(30s), std::future_status::ready);
  EXPECT_EQ(watch.get(), 0) << cbit.err;
  std::size_t at = 0;
  for (const char* status : {"Waiting", "Building", "Done"}) {
    std::string line = "job " + job + ": " + status + "\n";
    std::size_t found = cbit.out.find(line, at);
    ASSERT_NE(found, std::string::npos) << line << "in:\n" << cbit.out;
    at = found + line.size();
  }
  EXPECT_EQ(web->Stop(), 0);
}

}  // namespace
}  // namespace cbit::testing
