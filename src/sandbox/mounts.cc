#include "sandbox/mounts.h"

#include <fcntl.h>
#include <net/if.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <system_error>

#include "util/unique_fd.h"

namespace cbit::sandbox {
namespace fs = std::filesystem;
namespace {

void Check(int rc, const std::string& what) {
  if (rc != 0) throw std::system_error(errno, std::generic_category(), what);
}

void Mount(const std::string& source, const std::string& target, const char* type,
           unsigned long flags, const std::string& data = "") {
  Check(::mount(source.c_str(), target.c_str(), type, flags, data.empty() ? nullptr : data.c_str()),
        "mount " + source + " on " + target);
}

// An empty file to bind a file over; a symlink there is replaced, so the
// mount cannot be sent elsewhere by it.
void MakeFileTarget(const fs::path& target) {
  fs::create_directories(target.parent_path());
  if (fs::is_symlink(target)) fs::remove(target);
  UniqueFd fd(::open(target.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0644));
  if (!fd) throw std::system_error(errno, std::generic_category(), "create " + target.string());
}

// A read-only bind keeps the flags the kernel locked on the source's mount
// (nosuid, nodev, noexec): a remount without them is refused in a user
// namespace.
void RemountReadOnly(const std::string& target) {
  struct statvfs st {};
  Check(::statvfs(target.c_str(), &st), "statvfs " + target);
  unsigned long flags = MS_BIND | MS_REMOUNT | MS_RDONLY;
  if ((st.f_flag & ST_NOSUID) != 0) flags |= MS_NOSUID;
  if ((st.f_flag & ST_NODEV) != 0) flags |= MS_NODEV;
  if ((st.f_flag & ST_NOEXEC) != 0) flags |= MS_NOEXEC;
  Mount("none", target, nullptr, flags);
}

void Bind(const BindMount& b, const fs::path& root) {
  fs::path target = root / fs::path(b.target).relative_path();
  if (fs::is_directory(b.source)) {
    fs::create_directories(target);
  } else {
    MakeFileTarget(target);
  }
  Mount(b.source, target, nullptr, MS_BIND | MS_REC);
  if (b.read_only) RemountReadOnly(target);
}

// A tmpfs /dev with the host's harmless character devices bound into it
// (a user namespace cannot make device nodes) and a private devpts.
void MakeDev(const fs::path& root) {
  fs::path dev = root / "dev";
  fs::create_directories(dev);
  Mount("tmpfs", dev, "tmpfs", MS_NOSUID | MS_NOEXEC, "mode=0755");
  for (const char* node : {"null", "zero", "full", "random", "urandom", "tty"}) {
    MakeFileTarget(dev / node);
    Mount(std::string("/dev/") + node, dev / node, nullptr, MS_BIND);
  }
  fs::create_directories(dev / "pts");
  Mount("devpts", dev / "pts", "devpts", MS_NOSUID | MS_NOEXEC, "newinstance,ptmxmode=0666");
  fs::create_directories(dev / "shm");
  Mount("tmpfs", dev / "shm", "tmpfs", MS_NOSUID | MS_NODEV, "mode=1777");
  fs::create_symlink("pts/ptmx", dev / "ptmx");
  fs::create_symlink("/proc/self/fd", dev / "fd");
  fs::create_symlink("/proc/self/fd/0", dev / "stdin");
  fs::create_symlink("/proc/self/fd/1", dev / "stdout");
  fs::create_symlink("/proc/self/fd/2", dev / "stderr");
}

// The directory that becomes "/": an overlay of the root on a tmpfs, or
// the root itself bound onto itself (pivot_root needs a mount point).
fs::path MakeTop(const Options& o) {
  if (o.writable_root) {
    Mount(o.root, o.root, nullptr, MS_BIND | MS_REC);
    return o.root;
  }
  fs::path scratch = o.scratch;
  Mount("tmpfs", scratch, "tmpfs", MS_NOSUID | MS_NODEV, "mode=0755");
  for (const char* d : {"upper", "work", "top"}) fs::create_directory(scratch / d);
  Mount("overlay", scratch / "top", "overlay", 0,
        "lowerdir=" + o.root + ",upperdir=" + (scratch / "upper").string() +
            ",workdir=" + (scratch / "work").string() + ",userxattr");
  return scratch / "top";
}

}  // namespace

void EnterRoot(const Options& options) {
  Mount("none", "/", nullptr, MS_REC | MS_PRIVATE);
  fs::path top = MakeTop(options);
  for (const auto& b : options.binds) Bind(b, top);
  MakeDev(top);
  fs::create_directories(top / "proc");
  Mount("proc", top / "proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC);
  // The old root is detached, so no path leads back to the host's files.
  Check(::chdir(top.c_str()), "chdir " + top.string());
  Check(static_cast<int>(::syscall(SYS_pivot_root, ".", ".")), "pivot_root");
  Check(::umount2(".", MNT_DETACH), "detach the host's root");
  Check(::chdir("/"), "chdir /");
}

void LoopbackUp() {
  UniqueFd s(::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0));
  if (!s) throw std::system_error(errno, std::generic_category(), "socket");
  struct ifreq ifr {};
  std::strncpy(ifr.ifr_name, "lo", IFNAMSIZ - 1);
  Check(::ioctl(s.get(), SIOCGIFFLAGS, &ifr), "SIOCGIFFLAGS lo");
  ifr.ifr_flags = static_cast<short>(ifr.ifr_flags | IFF_UP | IFF_RUNNING);
  Check(::ioctl(s.get(), SIOCSIFFLAGS, &ifr), "SIOCSIFFLAGS lo");
}

}  // namespace cbit::sandbox
