#include "source/debian_meta.h"

#include <gtest/gtest.h>

namespace cbit::source {
namespace {

constexpr const char* kChangelog =
    "hello-cbit (1.2-3) bookworm unstable; urgency=medium\n\n"
    "  * A change.\n\n -- Someone <s@example.org>  Mon, 01 Jan 2024 00:00:00 +0000\n\n"
    "hello-cbit (1.2-2) bookworm; urgency=low\n\n  * Older.\n";

TEST(ChangelogHead, FirstEntryNameVersionAndFirstSuite) {
  ChangelogHead h = ParseChangelogHead(kChangelog);
  EXPECT_EQ(h.source, "hello-cbit");
  EXPECT_EQ(h.version, "1.2-3");
  EXPECT_EQ(h.suite, "bookworm");
}

TEST(ChangelogHead, EpochAndLeadingBlankLines) {
  ChangelogHead h = ParseChangelogHead("\n\nfoo (2:1.0~rc1+dfsg-1) chickpea; urgency=high\n");
  EXPECT_EQ(h.version, "2:1.0~rc1+dfsg-1");
  EXPECT_EQ(h.suite, "chickpea");
}

TEST(ChangelogHead, MalformedIsAnErrorNamingTheProblem) {
  auto message = [](const char* text) {
    try {
      ParseChangelogHead(text);
    } catch (const MetadataError& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  EXPECT_NE(message("").find("empty"), std::string::npos);
  EXPECT_NE(message("this is not a changelog\n").find("first line"), std::string::npos);
  EXPECT_NE(message("Foo_Bar (1.0) sid; urgency=low\n").find("package name"), std::string::npos);
  EXPECT_NE(message("foo (not-a-version) sid; urgency=low\n").find("Debian version"),
            std::string::npos);
  EXPECT_NE(message("foo (1.0) ; urgency=low\n").find("no distribution"), std::string::npos);
  EXPECT_NE(message("foo (1.0) s$id; urgency=low\n").find("suite"), std::string::npos);
}

TEST(ArchitectureList, AllAnyNamesAndWildcards) {
  auto control = [](const std::vector<std::string>& arches) {
    std::string t = "Source: foo\nBuild-Depends: debhelper,\n bar\n";
    int i = 0;
    for (const auto& a : arches)
      t += "\nPackage: foo" + std::to_string(++i) + "\nArchitecture: " + a + "\n";
    return t;
  };
  EXPECT_EQ(ArchitectureList(control({"all"})), "all");
  EXPECT_EQ(ArchitectureList(control({"any"})), "any");
  EXPECT_EQ(ArchitectureList(control({"any", "all", "any"})), "all,any");
  EXPECT_EQ(ArchitectureList(control({"amd64 i386", "i386", "all"})), "all,amd64,i386");
  EXPECT_EQ(ArchitectureList(control({"linux-any"})), "any");
  EXPECT_EQ(ArchitectureList(control({"amd64", "any-arm64"})), "any");
  EXPECT_THROW(ArchitectureList("Source: foo\n"), MetadataError);
  EXPECT_THROW(ArchitectureList(control({"AMD64"})), MetadataError);
  EXPECT_THROW(ArchitectureList("Source: foo\n\nPackage: foo\nDescription: x\n"), MetadataError);
}

TEST(ArchitectureList, CommentsAndCrlf) {
  EXPECT_EQ(ArchitectureList("Source: foo\r\n\r\n# Architecture: all\r\nPackage: foo\r\n"
                             "Architecture: armhf\r\n"),
            "armhf");
}

constexpr const char* kChanges =
    "Format: 1.8\nDate: Mon, 01 Jan 2024 00:00:00 +0000\nSource: hello-cbit (1.0-1)\n"
    "Binary: hello-cbit\nArchitecture: source all amd64\nVersion: 1.0-1+b1\n"
    "Distribution: bookworm\nChanges:\n hello-cbit (1.0-1) bookworm; urgency=medium\n .\n"
    "   * x\nFiles:\n 0123 10 misc optional hello-cbit_1.0-1.dsc\n";

TEST(Changes, SourceVersionDistributionArchitectures) {
  ChangesInfo c = ParseChangesInfo(kChanges);
  EXPECT_EQ(c.source, "hello-cbit");
  EXPECT_EQ(c.version, "1.0-1+b1");
  EXPECT_EQ(c.suite, "bookworm");
  EXPECT_EQ(c.arch_list, "all,amd64");
}

TEST(Changes, SourceOnlyUploadBuildsAny) {
  std::string t = kChanges;
  t.replace(t.find("source all amd64"), 16, "source");
  EXPECT_EQ(ParseChangesInfo(t).arch_list, "any");
}

TEST(Changes, MalformedFieldsAreErrors) {
  EXPECT_THROW(ParseChangesInfo("Format: 1.8\nVersion: 1.0\n"), MetadataError);
  std::string t = kChanges;
  t.replace(t.find("1.0-1+b1"), 8, "x.y");
  EXPECT_THROW(ParseChangesInfo(t), MetadataError);
}

TEST(ExtractChanges, PlainFileIsItself) {
  EXPECT_EQ(ParseChangesInfo(ExtractChanges(kChanges)).source, "hello-cbit");
}

TEST(ExtractChanges, ClearSignedInAMail) {
  std::string mail =
      "From builder@example.org Mon Jan  1 00:00:00 2024\n"
      "From: builder@example.org\nSubject: Accepted hello-cbit 1.0-1\n"
      "Content-Type: text/plain\n\nThe upload was accepted.\n\n"
      "-----BEGIN PGP SIGNED MESSAGE-----\nHash: SHA256\n\n" +
      std::string(kChanges) +
      "- --dash-escaped line\n"
      "-----BEGIN PGP SIGNATURE-----\n\niQ==\n-----END PGP SIGNATURE-----\n\nThanks.\n";
  std::string text = ExtractChanges(mail);
  EXPECT_EQ(text.find("Hash:"), std::string::npos);
  EXPECT_NE(text.find("\n--dash-escaped line"), std::string::npos);
  ChangesInfo c = ParseChangesInfo(text);
  EXPECT_EQ(c.source, "hello-cbit");
  EXPECT_EQ(c.suite, "bookworm");
}

TEST(ExtractChanges, UnsignedInAMailBodyWithCrlf) {
  std::string body = kChanges;
  std::string crlf;
  for (char ch : body) crlf += ch == '\n' ? std::string("\r\n") : std::string(1, ch);
  std::string mail =
      "From: a@example.org\r\nSubject: x\r\n\r\nHello,\r\n\r\n" + crlf + "\r\n-- \r\nsignature\r\n";
  EXPECT_EQ(ParseChangesInfo(ExtractChanges(mail)).version, "1.0-1+b1");
}

TEST(ExtractChanges, NoChangesIsAnError) {
  EXPECT_THROW(ExtractChanges("From: a@example.org\n\nJust a mail.\n"), MetadataError);
}

}  // namespace
}  // namespace cbit::source
