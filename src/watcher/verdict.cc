#include "watcher/verdict.h"

#include <sstream>

namespace cbit::watcher {
namespace {

std::string WithoutEpoch(const std::string& v) {
  auto colon = v.find(':');
  return colon == std::string::npos ? v : v.substr(colon + 1);
}

std::string Describe(const std::vector<Expected>& items) {
  std::string out;
  for (const Expected& e : items) {
    if (!out.empty()) out += ", ";
    out += e.name + " " + e.version + " (" + e.arch + ")";
  }
  return out;
}

}  // namespace

std::vector<Expected> ExpectedOf(const ChangesFile& changes) {
  std::vector<Expected> out;
  std::istringstream archs(changes.architecture);
  for (std::string a; archs >> a;) {
    if (a == "source") out.push_back({"source", changes.source, changes.version});
  }
  for (const BinaryFile& b : BinaryFilesOf(changes.files))
    out.push_back({b.arch, b.name, b.version});
  return out;
}

bool Holds(const std::vector<Published>& list, const Expected& e) {
  for (const Published& p : list) {
    if (p.name != e.name) continue;
    if (e.arch == "source") {
      if (p.arch == "source" && p.version == e.version) return true;
    } else if ((p.arch == e.arch || (e.arch == "all" && p.arch != "source")) &&
               WithoutEpoch(p.version) == WithoutEpoch(e.version)) {
      return true;
    }
  }
  return false;
}

Verdict Judge(const ChangesFile& changes, const std::vector<Published>& before,
              const std::vector<Published>& after, bool left_in_incoming,
              const std::function<PoolCheck()>& pool) {
  std::vector<Expected> expected = ExpectedOf(changes);
  if (left_in_incoming) {
    return {false, "reprepro refused the upload (it left the .changes in the incoming directory)"};
  }
  if (expected.empty()) return {false, "the upload names no source and no binary package"};
  std::vector<Expected> missing, old;
  for (const Expected& e : expected) {
    if (!Holds(after, e)) missing.push_back(e);
    if (Holds(before, e)) old.push_back(e);
  }
  if (!missing.empty()) return {false, "not published: " + Describe(missing)};
  if (old.size() == expected.size()) {
    PoolCheck same = pool();
    if (same.same) {
      return {
          true,
          "already published with the same checksums (a repeated upload): " + Describe(expected),
          true};
    }
    return {false, "already in the repository before this upload with other contents (" +
                       same.detail + "), reprepro skipped it: " + Describe(old)};
  }
  return {true, "published: " + Describe(expected)};
}

std::string ArchOfChangesName(const std::string& file_name) {
  std::string_view n(file_name);
  if (!n.ends_with(".changes")) return "";
  n.remove_suffix(8);
  auto first = n.find('_'), last = n.rfind('_');
  if (first == std::string_view::npos || first == last) return "";
  return std::string(n.substr(last + 1));
}

std::string JobArchOf(const std::string& file_name) {
  std::string arch = ArchOfChangesName(file_name);
  return arch == "source" || arch == "all" || arch == "multi" ? "" : arch;
}

}  // namespace cbit::watcher
