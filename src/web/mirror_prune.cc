#include "web/mirror_prune.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cctype>
#include <filesystem>

namespace cbit::web {
namespace {

namespace fs = std::filesystem;

fs::file_time_type::clock::time_point AsFileTime(std::chrono::system_clock::time_point t) {
  return fs::file_time_type::clock::from_sys(t);
}

}  // namespace

bool IsMirrorName(const std::string& name) {
  auto dash = name.rfind('-');
  if (dash == std::string::npos || dash == 0 || name.size() - dash - 1 != 32) return false;
  return std::all_of(name.begin() + static_cast<std::ptrdiff_t>(dash) + 1, name.end(), [](char c) {
    return std::isdigit(static_cast<unsigned char>(c)) || (c >= 'a' && c <= 'f');
  });
}

std::vector<std::string> PruneMirrors(const std::string& cache_dir,
                                      std::chrono::system_clock::duration unused_for,
                                      std::chrono::system_clock::time_point now) {
  std::vector<std::string> out;
  const auto before = AsFileTime(now - unused_for);
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(cache_dir, ec)) {
    std::string name = e.path().filename().string();
    if (!IsMirrorName(name) || !e.is_directory(ec) || e.is_symlink(ec)) continue;
    auto used = fs::last_write_time(e.path(), ec);
    if (ec || used >= before) continue;
    fs::remove_all(e.path(), ec);
    if (ec) {
      spdlog::warn("webhooks: cannot remove the unused mirror {}: {}", e.path().string(),
                   ec.message());
      continue;
    }
    out.push_back(name);
  }
  return out;
}

}  // namespace cbit::web
