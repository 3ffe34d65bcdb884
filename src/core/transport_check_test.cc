#include "core/transport_check.h"

#include <gtest/gtest.h>

namespace cbit {
namespace {

std::optional<std::string> Problem(const std::string& method, const std::string& uri,
                                   const std::string& vcs_id = "",
                                   LocalUris local = LocalUris::kRefused) {
  return TransportProblem({method, uri, vcs_id}, local);
}

bool Names(const std::optional<std::string>& p, const char* text) {
  return p && p->find(text) != std::string::npos;
}

TEST(TransportCheck, RemoteSourcesPass) {
  EXPECT_FALSE(Problem("git", "https://git.example/hello.git", "0123abc"));
  EXPECT_FALSE(Problem("git", "git@git.example:hello.git"));  // scp-like ssh
  EXPECT_FALSE(Problem("git", "ssh://git.example/hello.git"));
  EXPECT_FALSE(Problem("svn", "svn://svn.example/repo/trunk", "20961"));
  EXPECT_FALSE(Problem("svn", "http://svn.example/svn/lwdev"));
  EXPECT_FALSE(Problem("apt", ""));
  EXPECT_FALSE(Problem("apt", "apt"));  // pyBit's .changes hook
}

TEST(TransportCheck, RemoteHelpersAndUnknownSchemesAreRefused) {
  EXPECT_TRUE(Names(Problem("git", "ext::git-upload-pack%20/tmp"), "remote helper"));
  EXPECT_TRUE(Names(Problem("git", "fd::17"), "remote helper"));
  EXPECT_TRUE(Names(Problem("git", "ext::sh -c touch% /tmp/x"), "uri"));
  EXPECT_TRUE(Names(Problem("git", "evil://host/x"), "scheme"));
  EXPECT_TRUE(Names(Problem("svn", "svn+tunnel://host/x"), "scheme"));
}

TEST(TransportCheck, LocalPathsOnlyWhenAllowed) {
  for (const char* uri : {"/srv/git/hello.git", "file:///srv/git/hello.git", "FILE:///x", "./hello",
                          "hello.git", "../x:y", "file:x"}) {
    EXPECT_TRUE(Names(Problem("git", uri), "local path")) << uri;
    EXPECT_FALSE(Problem("git", uri, "", LocalUris::kAllowed)) << uri;
  }
  EXPECT_TRUE(Names(Problem("svn", "file:///srv/svn/repo"), "allow_local_uris"));
}

TEST(TransportCheck, OptionLikeOrMalformedFieldsAreRefused) {
  EXPECT_TRUE(Names(Problem("git", "--upload-pack=touch /tmp/x"), "uri"));
  EXPECT_TRUE(Names(Problem("git", "-oProxyCommand=x"), "starts with '-'"));
  EXPECT_TRUE(Names(Problem("git", "https://x/y", "--output=/etc/x"), "vcs_id"));
  EXPECT_TRUE(Names(Problem("git", "https://x/y z"), "blanks"));
  EXPECT_TRUE(Names(Problem("git", "https://x/" + std::string(3000, 'a')), "longer"));
  EXPECT_TRUE(Names(Problem("apt", "-x"), "uri"));
  EXPECT_TRUE(Names(Problem("bzr", "https://x/y"), "method 'bzr'"));
  EXPECT_TRUE(Names(Problem("", "https://x/y"), "method"));
  EXPECT_TRUE(Names(Problem("git", ""), "uri is missing"));
}

}  // namespace
}  // namespace cbit
