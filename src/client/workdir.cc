#include "client/workdir.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>

#include <cerrno>
#include <filesystem>

namespace cbit::client {
namespace fs = std::filesystem;
namespace {

std::error_code LastError() { return {errno, std::generic_category()}; }

// Locks the directory at `path` without waiting. nullopt when another
// process holds it, or on an error (in `ec`). A lock taken on a directory
// that was removed meanwhile (its holder removes it before letting go)
// is retried on whatever the path names now.
std::optional<UniqueFd> LockDir(const std::string& path, bool create, std::error_code& ec) {
  for (int tries = 0; tries < 8; ++tries) {
    if (create) {
      fs::create_directories(path, ec);
      if (ec) return std::nullopt;
    }
    UniqueFd fd(::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
    if (!fd) {
      if (!create && errno == ENOENT) return std::nullopt;
      ec = LastError();
      return std::nullopt;
    }
    if (::flock(fd.get(), LOCK_EX | LOCK_NB) != 0) {
      if (errno != EWOULDBLOCK) ec = LastError();
      return std::nullopt;
    }
    struct stat held {
    }, named{};
    if (::fstat(fd.get(), &held) == 0 && ::lstat(path.c_str(), &named) == 0 &&
        held.st_dev == named.st_dev && held.st_ino == named.st_ino) {
      return fd;
    }
    if (!create) return std::nullopt;  // gone: nothing to sweep
  }
  ec = std::make_error_code(std::errc::resource_unavailable_try_again);
  return std::nullopt;
}

void RemoveContents(const std::string& path, std::error_code& ec) {
  for (const auto& entry : fs::directory_iterator(path, ec)) {
    fs::remove_all(entry.path(), ec);
    if (ec) return;
  }
}

}  // namespace

std::optional<Workdir> Workdir::Acquire(const std::string& path, std::error_code& ec) {
  ec.clear();
  std::optional<UniqueFd> fd = LockDir(path, /*create=*/true, ec);
  if (!fd) return std::nullopt;
  RemoveContents(path, ec);
  if (ec) return std::nullopt;
  return Workdir(path, std::move(*fd));
}

std::optional<Workdir> Workdir::ForJob(const std::string& buildroot, Id id,
                                       const std::string& clientid, std::error_code& ec) {
  std::string base = (fs::path(buildroot) / ("job-" + std::to_string(id))).string();
  if (auto dir = Acquire(base, ec); dir || ec) return dir;
  return Acquire(base + "-" + clientid, ec);
}

void Workdir::Remove(std::error_code& ec) {
  fs::remove_all(path_, ec);
  fd_.reset();
}

bool IsWorkdirName(const std::string& name) {
  if (name.rfind("job-", 0) != 0) return false;
  std::size_t i = 4;
  while (i < name.size() && name[i] >= '0' && name[i] <= '9') ++i;
  if (i == 4) return false;
  return i == name.size() || (name[i] == '-' && i + 1 < name.size());
}

std::vector<std::string> SweepWorkdirs(const std::string& buildroot) {
  std::vector<std::string> removed;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(buildroot, ec)) {
    std::string name = entry.path().filename().string();
    if (!IsWorkdirName(name) || !entry.is_directory(ec) || entry.is_symlink(ec)) continue;
    std::error_code lock_ec;
    std::optional<UniqueFd> fd = LockDir(entry.path().string(), /*create=*/false, lock_ec);
    if (!fd) continue;  // held by a live process, or gone
    std::error_code rm_ec;
    fs::remove_all(entry.path(), rm_ec);
    if (!rm_ec) removed.push_back(entry.path().string());
  }
  return removed;
}

}  // namespace cbit::client
