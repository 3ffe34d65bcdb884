#include "watcher/reprepro.h"

#include <algorithm>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace cbit::watcher {
namespace {

std::string Trim(std::string s) {
  auto blank = [](char c) { return c == ' ' || c == '\t' || c == '\r'; };
  while (!s.empty() && blank(s.back())) s.pop_back();
  std::size_t i = 0;
  while (i < s.size() && blank(s[i])) ++i;
  return s.substr(i);
}

std::string Lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

std::vector<std::string> Words(const std::string& s) {
  std::istringstream in(s);
  std::vector<std::string> out;
  for (std::string w; in >> w;) out.push_back(w);
  return out;
}

// A reprepro config file: stanzas of "Field: value" lines separated by blank
// lines; continuation lines start with a blank; '#' starts a comment line.
// Field names are compared in lower case, as reprepro does.
using Stanza = std::vector<std::pair<std::string, std::string>>;

std::vector<Stanza> ParseStanzas(const std::string& text) {
  std::vector<Stanza> out(1);
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    if (!line.empty() && line.front() == '#') continue;
    if (Trim(line).empty()) {
      if (!out.back().empty()) out.emplace_back();
      continue;
    }
    if ((line.front() == ' ' || line.front() == '\t') && !out.back().empty()) {
      out.back().back().second += " " + Trim(line);
      continue;
    }
    auto colon = line.find(':');
    if (colon == std::string::npos) continue;
    out.back().emplace_back(Lower(Trim(line.substr(0, colon))), Trim(line.substr(colon + 1)));
  }
  if (out.back().empty()) out.pop_back();
  return out;
}

std::string FieldOf(const Stanza& s, const std::string& name) {
  for (const auto& [k, v] : s)
    if (k == name) return v;
  return "";
}

std::string ReadFileOrEmpty(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace

std::vector<Published> ParseList(const std::string& output) {
  std::vector<Published> out;
  std::istringstream in(output);
  for (std::string line; std::getline(in, line);) {
    std::vector<std::string> parts;
    std::size_t start = 0;
    for (std::size_t bar; (bar = line.find('|', start)) != std::string::npos; start = bar + 1) {
      parts.push_back(line.substr(start, bar - start));
    }
    parts.push_back(line.substr(start));
    // Anything else is reprepro's own notes ("Exporting indices...").
    if (parts.size() != 4 && parts.size() != 5) continue;
    out.push_back({parts[0], parts[1], parts[2], Trim(parts[3]),
                   parts.size() == 5 ? Trim(parts[4]) : std::string()});
  }
  return out;
}

std::vector<std::string> TargetCodenames(const std::string& incoming_conf,
                                         const std::string& distributions_conf,
                                         const std::string& rule, const std::string& distribution) {
  std::vector<std::string> out;
  auto add = [&out](const std::string& c) {
    if (std::find(out.begin(), out.end(), c) == out.end()) out.push_back(c);
  };
  std::vector<std::string> dists = Words(distribution);
  for (const Stanza& s : ParseStanzas(incoming_conf)) {
    if (FieldOf(s, "name") != rule) continue;
    for (const std::string& entry : Words(FieldOf(s, "allow"))) {
      auto gt = entry.find('>');
      std::string from = entry.substr(0, gt);
      std::string to = gt == std::string::npos ? from : entry.substr(gt + 1);
      if (std::find(dists.begin(), dists.end(), from) != dists.end()) add(to);
    }
    if (out.empty() && !FieldOf(s, "default").empty()) add(FieldOf(s, "default"));
  }
  if (out.empty()) {
    for (const Stanza& s : ParseStanzas(distributions_conf)) {
      std::string codename = FieldOf(s, "codename");
      if (!codename.empty()) add(codename);
    }
  }
  return out;
}

bool IsLocked(const CommandResult& r) {
  // reprepro's words when it finds another instance's lock file; its exit
  // status alone is shared with other errors.
  return !r.ok() && !r.timed_out && r.output.find("The lock file '") != std::string::npos &&
         r.output.find("' already exists.") != std::string::npos;
}

std::vector<std::string> Repository::ProcessIncomingArgv(const std::string& rule,
                                                         const std::string& changes) const {
  std::vector<std::string> argv{"reprepro", "-b", base_, "processincoming", rule};
  if (!changes.empty()) argv.push_back(changes);
  return argv;
}

CommandResult Repository::ProcessIncoming(const std::string& rule, const std::string& changes) {
  return runner_.Run({.argv = ProcessIncomingArgv(rule, changes), .timeout = timeout_});
}

std::vector<Published> Repository::ListSource(const std::string& codename,
                                              const std::string& source) {
  CommandResult r =
      runner_.Run({.argv = {"reprepro", "-b", base_, std::string("--list-format=") + kListFormat,
                            "listfilter", codename, "$Source (== " + source + ")"},
                   .timeout = timeout_});
  if (!r.ok()) {
    throw std::runtime_error("reprepro listfilter " + codename + " failed (exit " +
                             std::to_string(r.exit_code) + "): " + r.output);
  }
  return ParseList(r.output);
}

std::vector<std::string> Repository::Codenames(const std::string& rule,
                                               const std::string& distribution) {
  return TargetCodenames(ReadFileOrEmpty(base_ + "/conf/incoming"),
                         ReadFileOrEmpty(base_ + "/conf/distributions"), rule, distribution);
}

}  // namespace cbit::watcher
