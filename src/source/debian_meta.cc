#include "source/debian_meta.h"

#include <algorithm>
#include <cctype>

#include "core/debian.h"

namespace cbit::source {
namespace {

std::string_view Trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

std::vector<std::string> Words(std::string_view s) {
  std::vector<std::string> out;
  std::size_t i = 0;
  while (i < s.size()) {
    while (i < s.size() && std::isspace(static_cast<unsigned char>(s[i]))) ++i;
    std::size_t start = i;
    while (i < s.size() && !std::isspace(static_cast<unsigned char>(s[i]))) ++i;
    if (i > start) out.emplace_back(s.substr(start, i - start));
  }
  return out;
}

// Builds an architecture_list from architecture words (control or .changes).
std::string ArchListOf(const std::vector<std::string>& words, const std::string& where) {
  bool all = false, any = false;
  std::vector<std::string> named;
  for (const auto& w : words) {
    if (w == "all") {
      all = true;
    } else if (w == "any" || w.find("any") != std::string::npos) {
      // linux-any, any-amd64, any-linux-arm64: dpkg wildcards. The suite's
      // arches decide what "any" becomes at the controller.
      any = true;
    } else if (debian::IsArch(w)) {
      if (std::find(named.begin(), named.end(), w) == named.end()) named.push_back(w);
    } else {
      std::string why = where;
      why += ": architecture '" + w + "' is malformed";
      throw MetadataError(why);
    }
  }
  std::vector<std::string> list;
  if (all) list.push_back("all");
  if (any) list.push_back("any");
  if (!any) list.insert(list.end(), named.begin(), named.end());
  std::string out;
  for (const auto& a : list) out += (out.empty() ? "" : ",") + a;
  return out;
}

std::string Field(const Paragraph& p, const std::string& key) {
  auto it = p.find(key);
  return it == p.end() ? "" : it->second;
}

}  // namespace

std::vector<Paragraph> ParseParagraphs(std::string_view text) {
  std::vector<Paragraph> out;
  Paragraph current;
  std::string field;
  for (std::string_view line : Lines(text)) {
    if (Trim(line).empty()) {
      if (!current.empty()) out.push_back(std::move(current));
      current.clear();
      field.clear();
      continue;
    }
    if (line.front() == '#') continue;
    if (line.front() == ' ' || line.front() == '\t') {
      if (!field.empty()) current[field] += "\n" + std::string(Trim(line));
      continue;
    }
    auto colon = line.find(':');
    if (colon == std::string_view::npos) continue;
    field = std::string(Trim(line.substr(0, colon)));
    std::transform(field.begin(), field.end(), field.begin(),
                   [](unsigned char c) { return std::tolower(c); });
    current[field] = std::string(Trim(line.substr(colon + 1)));
  }
  if (!current.empty()) out.push_back(std::move(current));
  return out;
}

ChangelogHead ParseChangelogHead(std::string_view text) {
  // The first non-empty line is the entry's heading (deb-changelog(5)):
  //   package (version) distribution(s); urgency=urgency
  std::string_view head;
  for (std::string_view line : Lines(text)) {
    if (!Trim(line).empty()) {
      head = line;
      break;
    }
  }
  const std::string where = "debian/changelog";
  if (head.empty()) throw MetadataError(where + " is empty");
  auto open = head.find(" (");
  auto close = head.find(')', open == std::string_view::npos ? 0 : open);
  auto semi = head.find(';', close == std::string_view::npos ? 0 : close);
  if (open == std::string_view::npos || close == std::string_view::npos ||
      semi == std::string_view::npos) {
    throw MetadataError(where + ": the first line is not 'package (version) suite; urgency=…': " +
                        std::string(head.substr(0, 120)));
  }
  ChangelogHead h;
  h.source = std::string(head.substr(0, open));
  h.version = std::string(Trim(head.substr(open + 2, close - open - 2)));
  auto suites = Words(head.substr(close + 1, semi - close - 1));
  if (suites.empty()) throw MetadataError(where + ": the first entry names no distribution");
  h.suite = suites.front();
  if (!debian::IsPackageName(h.source))
    throw MetadataError(where + ": '" + h.source + "' is not a Debian source package name");
  if (!debian::IsVersion(h.version))
    throw MetadataError(where + ": '" + h.version + "' is not a Debian version");
  if (!debian::IsToken(h.suite))
    throw MetadataError(where + ": '" + h.suite + "' is not a suite name");
  return h;
}

std::string ArchitectureList(std::string_view control) {
  std::vector<std::string> words;
  int binaries = 0;
  for (const auto& p : ParseParagraphs(control)) {
    if (!p.contains("package")) continue;  // the source paragraph
    ++binaries;
    std::string arch = Field(p, "architecture");
    if (arch.empty()) {
      throw MetadataError("debian/control: binary package '" + Field(p, "package") +
                          "' has no Architecture");
    }
    for (auto& w : Words(arch)) words.push_back(std::move(w));
  }
  if (binaries == 0) throw MetadataError("debian/control has no binary package paragraph");
  return ArchListOf(words, "debian/control");
}

ChangesInfo ParseChangesInfo(std::string_view text) {
  const std::string where = ".changes";
  auto paragraphs = ParseParagraphs(text);
  auto it = std::find_if(paragraphs.begin(), paragraphs.end(),
                         [](const Paragraph& p) { return p.contains("source"); });
  if (it == paragraphs.end()) throw MetadataError(where + ": no Source field");
  const Paragraph& p = *it;
  ChangesInfo c;
  // "Source: name (version)" when the source version differs from the binary's.
  auto source = Words(Field(p, "source"));
  c.source = source.empty() ? "" : source.front();
  c.version = Field(p, "version");
  auto dists = Words(Field(p, "distribution"));
  c.suite = dists.empty() ? "" : dists.front();
  if (!debian::IsPackageName(c.source))
    throw MetadataError(where + ": Source '" + c.source + "' is not a Debian source package name");
  if (!debian::IsVersion(c.version))
    throw MetadataError(where + ": Version '" + c.version + "' is not a Debian version");
  if (!debian::IsToken(c.suite))
    throw MetadataError(where + ": Distribution '" + c.suite + "' is not a suite name");
  std::vector<std::string> arches;
  for (auto& w : Words(Field(p, "architecture")))
    if (w != "source") arches.push_back(std::move(w));
  // A source-only upload names no binary architecture: build every one.
  c.arch_list = arches.empty() ? "any" : ArchListOf(arches, where);
  return c;
}

std::string ExtractChanges(std::string_view input) {
  auto lines = Lines(input);
  // A clear-signed block: the signed text, dash-escaping undone (RFC 4880 §7.1).
  for (std::size_t i = 0; i < lines.size(); ++i) {
    if (!lines[i].starts_with("-----BEGIN PGP SIGNED MESSAGE-----")) continue;
    std::size_t j = i + 1;
    while (j < lines.size() && !Trim(lines[j]).empty()) ++j;  // armour headers (Hash: …)
    std::string out;
    for (++j; j < lines.size() && !lines[j].starts_with("-----BEGIN PGP SIGNATURE-----"); ++j) {
      std::string_view l = lines[j];
      if (l.starts_with("- ")) l.remove_prefix(2);
      out.append(l).push_back('\n');
    }
    if (out.find("Source:") != std::string::npos) return out;
  }
  // Unsigned: the paragraph starting at "Format:", in a file or a mail body.
  for (std::size_t i = 0; i < lines.size(); ++i) {
    if (!lines[i].starts_with("Format:")) continue;
    std::string out;
    for (std::size_t j = i; j < lines.size() && !Trim(lines[j]).empty(); ++j)
      out.append(lines[j]).push_back('\n');
    if (out.find("\nSource:") != std::string::npos) return out;
  }
  throw MetadataError(
      "no .changes text found (neither a clear-signed block nor a Format: paragraph)");
}

std::vector<std::string_view> Lines(std::string_view text) {
  std::vector<std::string_view> out;
  std::size_t pos = 0;
  while (pos < text.size()) {
    auto eol = text.find('\n', pos);
    if (eol == std::string_view::npos) eol = text.size();
    std::string_view line = text.substr(pos, eol - pos);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    out.push_back(line);
    pos = eol + 1;
  }
  return out;
}

}  // namespace cbit::source
