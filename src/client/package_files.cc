#include "client/package_files.h"

#include <filesystem>
#include <fstream>
#include <sstream>

namespace cbit::client {
namespace fs = std::filesystem;

std::string_view VersionWithoutEpoch(std::string_view version) {
  auto colon = version.find(':');
  return colon == std::string_view::npos ? version : version.substr(colon + 1);
}

std::string_view UpstreamVersion(std::string_view version) {
  std::string_view v = VersionWithoutEpoch(version);
  auto dash = v.rfind('-');
  return dash == std::string_view::npos ? v : v.substr(0, dash);
}

std::string DscFileName(std::string_view package, std::string_view version) {
  return std::string(package) + "_" + std::string(VersionWithoutEpoch(version)) + ".dsc";
}

bool IsNonNative(const std::string& source_dir, std::string_view version) {
  std::ifstream in(fs::path(source_dir) / "debian" / "source" / "format");
  if (in) {
    std::stringstream text;
    text << in.rdbuf();
    return text.str().find("quilt") != std::string::npos;
  }
  // Format 1.0 (no format file): native exactly when there is no revision.
  return VersionWithoutEpoch(version).find('-') != std::string_view::npos;
}

std::optional<std::string> FindChanges(const std::string& dir, std::string_view package,
                                       std::string_view version, std::string_view arch) {
  std::string stem = std::string(package) + "_" + std::string(VersionWithoutEpoch(version)) + "_";
  for (const std::string& suffix : {std::string(arch), std::string("source")}) {
    fs::path p = fs::path(dir) / (stem + suffix + ".changes");
    if (fs::is_regular_file(p)) return p.string();
  }
  // Other names (a multi-arch build, "all"): the newest one of this version.
  std::optional<fs::path> best;
  fs::file_time_type best_time;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    std::string name = entry.path().filename().string();
    if (!entry.is_regular_file() || !name.starts_with(stem) || !name.ends_with(".changes")) {
      continue;
    }
    auto t = entry.last_write_time();
    if (!best || t > best_time) {
      best = entry.path();
      best_time = t;
    }
  }
  if (best) return best->string();
  return std::nullopt;
}

}  // namespace cbit::client
