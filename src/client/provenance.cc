#include "client/provenance.h"

#include <sodium.h>

#include <fstream>
#include <sstream>

#include "client/isolated.h"

#ifndef CBIT_VERSION
#define CBIT_VERSION "unknown"
#endif

namespace cbit::client {
namespace fs = std::filesystem;
namespace {

constexpr std::uintmax_t kMaxBuildinfoBytes = std::uintmax_t{1} << 20;

std::optional<std::string> Sha256Of(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) return std::nullopt;
  crypto_hash_sha256_state state;
  crypto_hash_sha256_init(&state);
  char buf[65536];
  while (in.read(buf, sizeof buf) || in.gcount() > 0) {
    crypto_hash_sha256_update(&state, reinterpret_cast<const unsigned char*>(buf),
                              static_cast<unsigned long long>(in.gcount()));
  }
  unsigned char digest[crypto_hash_sha256_BYTES];
  crypto_hash_sha256_final(&state, digest);
  char hex[2 * crypto_hash_sha256_BYTES + 1];
  sodium_bin2hex(hex, sizeof hex, digest, sizeof digest);
  return std::string(hex);
}

}  // namespace

std::optional<std::pair<std::string, std::string>> IdentifyRoot(const fs::path& generation) {
  std::optional<std::string> digest = Sha256Of(generation / "var/lib/dpkg/status");
  if (!digest) return std::nullopt;
  std::ifstream meta(generation / ".cbit-root");
  std::string made;
  for (std::string line; std::getline(meta, line);) {
    if (line.rfind("created=", 0) == 0) made = line.substr(8);
    if (line.rfind("updated=", 0) == 0) made = line.substr(8);  // a later line: the newest
  }
  return std::make_pair("sha256:" + *digest, made);
}

std::optional<std::string> BuildinfoBeside(const std::string& changes) {
  if (changes.empty()) return std::nullopt;
  fs::path path = fs::path(changes).replace_extension(".buildinfo");
  std::error_code ec;
  std::uintmax_t size = fs::file_size(path, ec);
  if (ec || size > kMaxBuildinfoBytes) return std::nullopt;
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  if (!in) return std::nullopt;
  return text.str();
}

AttemptProvenance ProvenanceBeforeBuild(const JobSpec& job, const BuildConfig& config) {
  AttemptProvenance p;
  p.client_version = ClientVersion();
  p.builder = BuilderName(config, job.arch);
  if (config.kind != BuilderKind::kIsolated) return p;
  std::error_code ec;
  fs::path generation =
      config.root.empty() ? fs::canonical(RootFor(job, config), ec) : fs::path(config.root);
  if (ec) return p;
  if (auto id = IdentifyRoot(generation)) {
    p.root_digest = id->first;
    p.root_created = id->second;
  }
  return p;
}

std::string ClientVersion() { return std::string("cbit-client ") + CBIT_VERSION; }

std::string BuilderName(const BuildConfig& config, const std::string& arch) {
  std::string name = "unknown";
  switch (config.kind) {
    case BuilderKind::kIsolated:
      name = std::string("isolated (cbit-sandbox ") + CBIT_VERSION + ")";
      break;
    case BuilderKind::kHost:
      name = "host (dpkg-buildpackage)";
      break;
    case BuilderKind::kSbuildUnshare:
      name = "sbuild (unshare)";
      break;
    case BuilderKind::kSbuildSchroot:
      name = "sbuild (schroot)";
      break;
  }
  if (!arch.empty() && ModeFor(arch, config) == ArchMode::kCross) {
    name += ", cross " + config.build_arch + " to " + arch;
  }
  return name;
}

}  // namespace cbit::client
