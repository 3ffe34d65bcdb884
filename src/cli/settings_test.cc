#include "cli/settings.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <fstream>
#include <map>

#include "cli/exit_code.h"
#include "testing/test_dir.h"

namespace cbit::cli {
namespace {

Env MapEnv(const std::map<std::string, std::string>& m) {
  return [m](const std::string& k) -> std::optional<std::string> {
    auto it = m.find(k);
    if (it == m.end()) return std::nullopt;
    return it->second;
  };
}

class SettingsTest : public ::testing::Test {
 protected:
  std::string dir() const { return tmp_.path().string(); }
  std::map<std::string, std::string> env() const {
    return {{"HOME", dir() + "/home"}, {"CBIT_SITE_CONFIG", dir() + "/site.json"}};
  }
  void Write(const std::string& path, const std::string& text) const {
    std::filesystem::create_directories(std::filesystem::path(path).parent_path());
    std::ofstream(path) << text;
  }
  testing::TestDir tmp_;
};

TEST_F(SettingsTest, TheUserFileIsUnderXdgConfigHomeElseHome) {
  EXPECT_EQ(UserConfigPath(MapEnv({{"HOME", "/h"}})), "/h/.config/cbit/config");
  EXPECT_EQ(UserConfigPath(MapEnv({{"HOME", "/h"}, {"XDG_CONFIG_HOME", "/x"}})), "/x/cbit/config");
  EXPECT_THROW(UserConfigPath(MapEnv({})), CliError);
}

TEST_F(SettingsTest, WrittenWithMode0600InADirectoryOf0700AndReadBack) {
  std::string path = dir() + "/home/.config/cbit/config";
  WriteUserConfig(path, {.url = "http://farm:8080", .credentials = {.token = "cbit_secret"}});
  struct stat st {};
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  ASSERT_EQ(::stat((dir() + "/home/.config/cbit").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0700u);
  Settings s = ResolveSettings(MapEnv(env()), "");
  EXPECT_EQ(s.url, "http://farm:8080");
  EXPECT_EQ(s.credentials.token, "cbit_secret");
  EXPECT_TRUE(RemoveUserConfig(path));
  EXPECT_FALSE(RemoveUserConfig(path));
}

TEST_F(SettingsTest, AnExistingLooserFileBecomes0600WhenRewritten) {
  std::string path = dir() + "/home/.config/cbit/config";
  Write(path, "{}");
  ::chmod(path.c_str(), 0644);
  WriteUserConfig(path, {.url = "http://farm", .credentials = {.user = "u", .password = "p"}});
  struct stat st {};
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
}

TEST_F(SettingsTest, EnvironmentAndOptionOverTheFilesSiteDefaultsUnder) {
  Write(dir() + "/site.json", R"({"url": "http://site/", "distribution": "Ubuntu"})");
  auto e = env();
  Settings s = ResolveSettings(MapEnv(e), "");
  EXPECT_EQ(s.url, "http://site");
  EXPECT_EQ(s.distribution, "Ubuntu");
  EXPECT_EQ(s.format, "deb");
  e["CBIT_URL"] = "http://env";
  EXPECT_EQ(ResolveSettings(MapEnv(e), "").url, "http://env");
  EXPECT_EQ(ResolveSettings(MapEnv(e), "http://opt").url, "http://opt");
}

TEST_F(SettingsTest, StoredCredentialsGoOnlyToTheirOwnUrl) {
  WriteUserConfig(dir() + "/home/.config/cbit/config",
                  {.url = "http://farm", .credentials = {.token = "cbit_farm"}});
  auto e = env();
  EXPECT_EQ(ResolveSettings(MapEnv(e), "http://farm/").credentials.token, "cbit_farm");
  EXPECT_EQ(ResolveSettings(MapEnv(e), "http://elsewhere").credentials.token, "");
  e["CBIT_TOKEN"] = "cbit_env";
  EXPECT_EQ(ResolveSettings(MapEnv(e), "http://elsewhere").credentials.token, "cbit_env");
}

TEST_F(SettingsTest, NoUrlAnywhereAndMalformedFilesAreUsageErrors) {
  try {
    ResolveSettings(MapEnv(env()), "");
    FAIL();
  } catch (const CliError& e) {
    EXPECT_EQ(e.code, ExitCode::kUsage);
    EXPECT_NE(std::string(e.what()).find("cbit login"), std::string::npos);
  }
  Write(dir() + "/site.json", R"({"url": 5})");
  try {
    ResolveSettings(MapEnv(env()), "http://x");
    FAIL();
  } catch (const CliError& e) {
    EXPECT_EQ(e.code, ExitCode::kUsage);
    EXPECT_NE(std::string(e.what()).find("'url' must be a string"), std::string::npos);
  }
  Write(dir() + "/site.json", "not json");
  EXPECT_THROW(ResolveSettings(MapEnv(env()), "http://x"), CliError);
}

TEST(ExitCodes, EachStatusMapsToItsDocumentedCode) {
  EXPECT_EQ(ExitCodeOfStatus(0), ExitCode::kUnreachable);
  EXPECT_EQ(ExitCodeOfStatus(503), ExitCode::kUnreachable);
  EXPECT_EQ(ExitCodeOfStatus(401), ExitCode::kNotAuthorized);
  EXPECT_EQ(ExitCodeOfStatus(403), ExitCode::kNotAuthorized);
  EXPECT_EQ(ExitCodeOfStatus(404), ExitCode::kNotFound);
  EXPECT_EQ(ExitCodeOfStatus(409), ExitCode::kFailed);
  EXPECT_EQ(ExitCodeOfStatus(400), ExitCode::kFailed);
  CliError e = FromApiError(http::ApiError(401, "GET x: HTTP 401: credentials missing"));
  EXPECT_EQ(e.code, ExitCode::kNotAuthorized);
  EXPECT_NE(std::string(e.what()).find("credentials missing"), std::string::npos);
  EXPECT_NE(std::string(e.what()).find("cbit login"), std::string::npos);
}

}  // namespace
}  // namespace cbit::cli
