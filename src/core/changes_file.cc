#include "core/changes_file.h"

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

namespace cbit {
namespace {

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) {
    s.remove_suffix(1);
  }
  return s;
}

// The file name is the last word of each line of a file list field.
std::string_view LastWord(std::string_view line) {
  line = Trim(line);
  auto space = line.find_last_of(" \t");
  return space == std::string_view::npos ? line : line.substr(space + 1);
}

// The first word of a Checksums-Sha256: line, when it is a digest.
std::string Sha256Of(std::string_view line) {
  line = Trim(line);
  std::string_view word = line.substr(0, line.find_first_of(" \t"));
  if (word.size() != 64) return "";
  std::string out;
  for (char c : word) {
    if (!std::isxdigit(static_cast<unsigned char>(c))) return "";
    out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  return out;
}

}  // namespace

std::optional<ChangesFile> ParseChanges(std::string_view text) {
  ChangesFile out;
  bool has_files = false;
  bool signed_header = false;
  std::string field;  // the field the current continuation lines belong to
  std::size_t pos = 0;
  while (pos <= text.size()) {
    auto eol = text.find('\n', pos);
    if (eol == std::string_view::npos) eol = text.size();
    std::string_view line = text.substr(pos, eol - pos);
    pos = eol + 1;
    // A clear-signed file: skip the armour header up to its blank line, and
    // stop at the signature.
    if (line.starts_with("-----BEGIN PGP SIGNED MESSAGE")) {
      signed_header = true;
      continue;
    }
    if (signed_header) {
      if (Trim(line).empty()) signed_header = false;
      continue;
    }
    if (line.starts_with("-----BEGIN PGP SIGNATURE")) break;
    if (Trim(line).empty()) continue;
    if (line.front() == ' ' || line.front() == '\t') {
      if (field != "Files" && field != "Checksums-Sha1" && field != "Checksums-Sha256") continue;
      std::string name(LastWord(line));
      if (name.empty() || name == "." || name == ".." || name.find('/') != std::string::npos) {
        return std::nullopt;
      }
      if (std::find(out.files.begin(), out.files.end(), name) == out.files.end()) {
        out.files.push_back(name);
      }
      if (field == "Checksums-Sha256") {
        if (std::string sum = Sha256Of(line); !sum.empty()) out.sha256[name] = sum;
      }
      continue;
    }
    auto colon = line.find(':');
    if (colon == std::string_view::npos) return std::nullopt;
    field = std::string(line.substr(0, colon));
    std::string value(Trim(line.substr(colon + 1)));
    if (field == "Source") out.source = value;
    if (field == "Version") out.version = value;
    if (field == "Distribution") out.distribution = value;
    if (field == "Architecture") out.architecture = value;
    if (field == "Binary") {
      std::istringstream words(value);
      for (std::string w; words >> w;) out.binaries.push_back(w);
    }
    if (field == "Files") has_files = true;
  }
  if (!has_files) return std::nullopt;
  return out;
}

std::vector<BinaryFile> BinaryFilesOf(const std::vector<std::string>& files) {
  std::vector<BinaryFile> out;
  for (const std::string& f : files) {
    std::string_view stem(f);
    if (stem.ends_with(".deb")) {
      stem.remove_suffix(4);
    } else if (stem.ends_with(".udeb")) {
      stem.remove_suffix(5);
    } else {
      continue;
    }
    auto first = stem.find('_'), last = stem.rfind('_');
    if (first == std::string_view::npos || first == last) continue;
    out.push_back({std::string(stem.substr(0, first)),
                   std::string(stem.substr(first + 1, last - first - 1)),
                   std::string(stem.substr(last + 1))});
  }
  return out;
}

std::optional<ChangesFile> ReadChanges(const std::string& path) {
  std::error_code ec;
  auto size = std::filesystem::file_size(path, ec);
  if (ec || size > kMaxChangesBytes) return std::nullopt;
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  // At most `size` bytes, even if the file grew meanwhile.
  std::string text(size, '\0');
  in.read(text.data(), static_cast<std::streamsize>(size));
  text.resize(static_cast<std::size_t>(in.gcount()));
  return ParseChanges(text);
}

}  // namespace cbit
