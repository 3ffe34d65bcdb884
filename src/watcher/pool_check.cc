#include "watcher/pool_check.h"

#include <sodium.h>

#include <filesystem>
#include <fstream>
#include <set>

namespace cbit::watcher {
namespace {

namespace fs = std::filesystem;

// reprepro keeps a .buildinfo only with tracking; it is no part of what a
// repository publishes.
bool KeptInPool(const std::string& file) { return !file.ends_with(".buildinfo"); }

}  // namespace

std::string FileSha256(const std::string& path) {
  if (sodium_init() < 0) return "";
  std::ifstream in(path, std::ios::binary);
  if (!in) return "";
  crypto_hash_sha256_state state;
  crypto_hash_sha256_init(&state);
  std::vector<char> buf(1 << 16);
  while (in.read(buf.data(), static_cast<std::streamsize>(buf.size())) || in.gcount() > 0) {
    crypto_hash_sha256_update(&state, reinterpret_cast<const unsigned char*>(buf.data()),
                              static_cast<unsigned long long>(in.gcount()));
  }
  if (in.bad()) return "";
  unsigned char digest[crypto_hash_sha256_BYTES];
  crypto_hash_sha256_final(&state, digest);
  char hex[2 * sizeof digest + 1];
  sodium_bin2hex(hex, sizeof hex, digest, sizeof digest);
  return hex;
}

PoolCheck CompareWithPool(const ChangesFile& changes, const std::vector<Published>& listed) {
  std::set<fs::path> dirs;
  for (const Published& p : listed)
    if (!p.file.empty()) dirs.insert(fs::path(p.file).parent_path());
  int compared = 0;
  for (const std::string& f : changes.files) {
    if (!KeptInPool(f)) continue;
    auto want = changes.sha256.find(f);
    if (want == changes.sha256.end()) return {false, f + " has no Checksums-Sha256 entry"};
    std::string differs;
    bool same = false;
    for (const fs::path& d : dirs) {
      std::error_code ec;
      if (!fs::is_regular_file(d / f, ec)) continue;
      same = FileSha256((d / f).string()) == want->second;
      if (same) break;
      differs = (d / f).string();
    }
    if (!same) {
      std::string why = f;
      why += differs.empty() ? " is not in the repository's pool"
                             : " differs from the repository's " + differs;
      return {false, why};
    }
    ++compared;
  }
  if (compared == 0) return {false, "the upload names no file the repository keeps"};
  return {true, ""};
}

}  // namespace cbit::watcher
