// What cbit reads from a Debian source package, from text alone (no
// I/O): the first entry of debian/changelog, the binary architectures of
// debian/control, and the fields of a .changes file, possibly clear-signed
// and inside a mail.
#pragma once

#include <map>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace cbit::source {

/// The package's metadata is missing or malformed; the message says which
/// file and what is wrong. Such a package is reported, never submitted.
struct MetadataError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

/// The head of debian/changelog: "name (version) suite[ suite…]; urgency=…".
struct ChangelogHead {
  std::string source;
  std::string version;
  std::string suite;  ///< the first distribution of the entry
};

/// Parses and validates (Debian name, version and suite syntax) the first
/// entry of a changelog. Throws MetadataError.
ChangelogHead ParseChangelogHead(std::string_view text);

/// The Architecture fields of every binary package in debian/control, as
/// POST /job/vcshook's architecture_list: "all" first, then "any", then
/// explicit names, each once. Wildcards (linux-any, any-amd64) count as
/// "any", and "any" makes explicit names redundant. Throws MetadataError
/// when there is no binary package or an architecture is malformed.
std::string ArchitectureList(std::string_view control);

/// Source, Version, Distribution and Architecture (without "source") of a
/// .changes file; clear-signed or not.
struct ChangesInfo {
  std::string source;
  std::string version;
  std::string suite;      ///< first word of Distribution
  std::string arch_list;  ///< e.g. "all,amd64"; "any" for a source-only upload
};

/// Parses and validates a .changes text. Throws MetadataError.
ChangesInfo ParseChangesInfo(std::string_view text);

/// Finds the .changes text in `input`: the input itself when it is one, the
/// clear-signed block of a mail, or the paragraph starting at a "Format:"
/// line of a plain mail body (text parts only; base64 attachments are not
/// decoded). Throws MetadataError when there is none.
std::string ExtractChanges(std::string_view input);

/// Deb822 paragraphs (control files): field names lower-cased, continuation
/// lines joined with '\n', comment lines dropped.
using Paragraph = std::map<std::string, std::string>;
std::vector<Paragraph> ParseParagraphs(std::string_view text);

/// The lines of `text`, without their '\n' or "\r\n" (the views point into it).
std::vector<std::string_view> Lines(std::string_view text);

}  // namespace cbit::source
