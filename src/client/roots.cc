#include "client/roots.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "core/debian.h"
#include "util/unique_fd.h"

namespace cbit::client {
namespace fs = std::filesystem;
namespace {

// The packages every root has beyond --variant=buildd, as
// scripts/make-chroot.sh makes them.
constexpr const char* kInclude = "--include=debhelper,fakeroot,build-essential";

// What builds want from apt in a throw-away root: no recommends, no fsync
// (the upper layer is thrown away), no translations.
constexpr const char* kAptConf =
    "APT::Install-Recommends \"false\";\nAPT::Install-Suggests \"false\";\n"
    "Dpkg::Options { \"--force-unsafe-io\"; };\nAcquire::Languages \"none\";\n";

std::string Slurp(const fs::path& p) {
  std::ifstream in(p);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

void Write(const fs::path& p, const std::string& text) {
  std::ofstream out(p);
  out << text;
  if (!out) throw std::runtime_error("cannot write " + p.string());
}

std::string UtcNow(const char* format) {
  std::time_t t = std::time(nullptr);
  std::tm tm{};
  ::gmtime_r(&t, &tm);
  char buf[64];
  std::strftime(buf, sizeof buf, format, &tm);
  return buf;
}

void CheckName(const std::string& name) {
  if (!debian::IsToken(name)) throw std::runtime_error("root name '" + name + "' is malformed");
}

// The exclusive lock of one root's directory: creates, updates and sweeps
// of it run one at a time, across processes.
UniqueFd LockDir(const fs::path& dir) {
  fs::create_directories(dir);
  UniqueFd fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!fd || ::flock(fd.get(), LOCK_EX) != 0) {
    throw std::runtime_error("cannot lock " + dir.string());
  }
  return fd;
}

std::string SourcesText() {
  std::string text = Slurp("/etc/apt/sources.list");
  std::error_code ec;
  for (const auto& e : fs::directory_iterator("/etc/apt/sources.list.d", ec)) {
    std::string ext = e.path().extension().string();
    if (ext == ".list" || ext == ".sources") text += "\n" + Slurp(e.path()) + "\n";
  }
  return text;
}

// The cross= lines of a .cbit-root: the archs its root cross-builds for.
std::vector<std::string> CrossIn(const std::string& info) {
  std::vector<std::string> out;
  std::istringstream lines(info);
  for (std::string line; std::getline(lines, line);) {
    if (line.rfind("cross=", 0) != 0) continue;
    std::istringstream words(line.substr(6));
    for (std::string a; words >> a;) out.push_back(a);
  }
  return out;
}

std::string CrossLine(const std::vector<std::string>& cross) {
  if (cross.empty()) return "";
  std::string line = "cross=";
  for (const auto& a : cross) line += (line.size() > 6 ? " " : "") + a;
  return line + "\n";
}

}  // namespace

std::optional<std::string> MirrorIn(const std::string& sources_text, const std::string& suite) {
  std::istringstream in(sources_text);
  std::string line, uri;
  bool suite_seen = false;
  while (std::getline(in, line)) {
    std::istringstream words(line);
    std::string first;
    words >> first;
    if (first == "deb") {
      std::string u, s;
      words >> u >> s;
      if (u.rfind('[', 0) == 0) continue;  // options: not worth parsing here
      if (s == suite) return u;
    } else if (first == "URIs:") {
      words >> uri;
    } else if (first == "Suites:") {
      for (std::string s; words >> s;) suite_seen = suite_seen || s == suite;
    } else if (first.empty()) {
      if (suite_seen && !uri.empty()) return uri;
      uri.clear();
      suite_seen = false;
    }
  }
  if (suite_seen && !uri.empty()) return uri;
  return std::nullopt;
}

Roots::Roots(RootsConfig config, Runner& runner, LogSink sink)
    : config_(std::move(config)), runner_(runner), sink_(std::move(sink)) {}

void Roots::Run(const std::vector<std::string>& argv, const std::string& what) {
  Command cmd;
  cmd.argv = argv;
  CommandResult r = runner_.Run(cmd, sink_);
  if (!r.ok()) {
    throw std::runtime_error(what + " failed (exit " + std::to_string(r.exit_code) + ")");
  }
}

std::string Roots::NewGeneration(const std::string& name) const {
  std::string base = (fs::path(config_.roots_dir) / name /
                      ("g-" + UtcNow("%Y%m%dT%H%M%S") + "-" + std::to_string(::getpid())))
                         .string();
  // Two in one second by one process (a create, then a create --cross).
  std::string generation = base;
  for (int n = 2; fs::exists(generation); ++n) generation = base + "-" + std::to_string(n);
  return generation;
}

std::string Roots::TarballFor(const std::string& suite, const std::string& arch,
                              const std::string& dir) {
  if (!config_.tarball.empty()) return config_.tarball;
  std::string mirror = config_.mirror;
  if (mirror.empty()) mirror = MirrorIn(SourcesText(), suite).value_or("");
  if (mirror.empty()) throw std::runtime_error("no apt source carries suite " + suite);
  std::string out = dir + "/.mmdebstrap.tar";
  Log(sink_, "making the root with mmdebstrap from " + mirror + " (a few minutes)\n");
  Run({"mmdebstrap", "--variant=buildd", "--arch=" + arch, "--format=tar", kInclude, suite, out,
       "deb " + mirror + " " + suite + " main"},
      "mmdebstrap");
  return out;
}

// Fresh apt lists (and packages, when upgrading) in a generation being made;
// with `cross`, the foreign archs and their cross toolchains first.
void Roots::Refresh(const std::string& generation, bool upgrade,
                    const std::vector<std::string>& cross) {
  std::vector<std::string> argv = {config_.sandbox, "--root", generation, "--writable-root"};
  if (fs::exists("/etc/resolv.conf")) {
    argv.insert(argv.end(), {"--ro-bind", "/etc/resolv.conf:/etc/resolv.conf"});
  }
  argv.insert(argv.end(), {"--net", "--"});
  for (const auto& a : cross) argv.insert(argv.end(), {"dpkg", "--add-architecture", a, "--and"});
  argv.insert(argv.end(), {"apt-get", "-q", "update"});
  if (upgrade) argv.insert(argv.end(), {"--and", "apt-get", "-q", "-y", "dist-upgrade"});
  if (!cross.empty()) {
    // libc6-dev of the host arch: dpkg-shlibdeps reads its libc's symbols.
    argv.insert(argv.end(), {"--and", "apt-get", "-q", "-y", "install"});
    for (const auto& a : cross) {
      argv.insert(argv.end(), {"crossbuild-essential-" + a, "libc6-dev:" + a});
    }
  }
  argv.insert(argv.end(), {"--and", "apt-get", "clean"});
  Run(argv, "apt-get in " + generation);
}

void Roots::Switch(const std::string& name, const std::string& generation) {
  fs::path dir = fs::path(config_.roots_dir) / name;
  fs::path next = dir / "current.new";
  fs::remove(next);
  fs::create_symlink(fs::path(generation).filename(), next);
  fs::rename(next, dir / "current");
  Log(sink_, name + ": current is " + fs::path(generation).filename().string() + "\n");
}

void Roots::CopyCurrent(const std::string& name, const std::string& generation) {
  fs::path dir = fs::path(config_.roots_dir) / name;
  fs::create_directory(generation);
  Run({config_.sandbox, "--", "cp", "-a", "--reflink=auto", (dir / "current").string() + "/.",
       generation},
      "cp");
}

bool Roots::Create(const std::string& chroot, const std::string& suite, const std::string& arch,
                   const std::vector<std::string>& cross) {
  CheckName(chroot);
  CheckName(suite);
  if (!debian::IsArch(arch)) throw std::runtime_error("architecture '" + arch + "' is malformed");
  for (const auto& a : cross) {
    if (!debian::IsArch(a) || a == "all" || a == "any" || a == "source") {
      throw std::runtime_error("cross architecture '" + a + "' is malformed");
    }
    if (a == arch) throw std::runtime_error("cross architecture '" + a + "' is the root's own");
  }
  std::string name = chroot + "-" + arch;
  fs::path dir = fs::path(config_.roots_dir) / name;
  UniqueFd lock = LockDir(dir);
  if (fs::exists(dir / "current")) {
    std::string info = Slurp(dir / "current" / ".cbit-root");
    std::vector<std::string> has = CrossIn(info), add;
    for (const auto& a : cross) {
      if (std::find(has.begin(), has.end(), a) == has.end() &&
          std::find(add.begin(), add.end(), a) == add.end()) {
        add.push_back(a);
      }
    }
    if (add.empty()) return false;
    std::string generation = NewGeneration(name);
    CopyCurrent(name, generation);
    Refresh(generation, false, add);
    Write(fs::path(generation) / ".cbit-root",
          info + CrossLine(add) + "updated=" + UtcNow("%Y-%m-%dT%H:%M:%SZ") + "\n");
    Switch(name, generation);
    lock.reset();
    Sweep(name);
    return true;
  }
  std::vector<std::string> add;
  for (const auto& a : cross) {
    if (std::find(add.begin(), add.end(), a) == add.end()) add.push_back(a);
  }
  std::string tarball = TarballFor(suite, arch, dir.string());
  std::string generation = NewGeneration(name);
  fs::create_directory(generation);
  Log(sink_, "unpacking " + tarball + "\n");
  // Unpacked in the sandbox's user namespace, so the files belong to the
  // ids the builds see (a device node cannot be made there, nor needed).
  Run({config_.sandbox, "--chdir", generation, "--", "tar", "--numeric-owner", "-xpf", tarball,
       "--exclude=./dev/*"},
      "tar");
  if (config_.tarball.empty()) fs::remove(tarball);
  Write(fs::path(generation) / "etc/apt/apt.conf.d/90cbit", kAptConf);
  Refresh(generation, false, add);
  Write(fs::path(generation) / ".cbit-root", "suite=" + suite + "\narch=" + arch +
                                                 "\ncreated=" + UtcNow("%Y-%m-%dT%H:%M:%SZ") +
                                                 "\nfrom=" + tarball + "\n" + CrossLine(add));
  Switch(name, generation);
  lock.reset();
  Sweep(name);  // what an interrupted create left
  return true;
}

void Roots::Update(const std::string& name) {
  CheckName(name);
  fs::path dir = fs::path(config_.roots_dir) / name;
  if (!fs::exists(dir / "current")) throw std::runtime_error("no root " + name);
  UniqueFd lock = LockDir(dir);
  std::string generation = NewGeneration(name);
  // The copy keeps the foreign archs and their toolchains (cross=).
  CopyCurrent(name, generation);
  Refresh(generation, true);
  std::string info = Slurp(fs::path(generation) / ".cbit-root");
  Write(fs::path(generation) / ".cbit-root",
        info + "updated=" + UtcNow("%Y-%m-%dT%H:%M:%SZ") + "\n");
  Switch(name, generation);
  lock.reset();
  Sweep(name);
}

int Roots::Sweep(const std::string& name) {
  CheckName(name);
  fs::path dir = fs::path(config_.roots_dir) / name;
  UniqueFd lock = LockDir(dir);
  std::error_code ec;
  fs::path current = fs::read_symlink(dir / "current", ec);
  int removed = 0;
  for (const auto& e : fs::directory_iterator(dir, ec)) {
    std::string base = e.path().filename().string();
    if (base.rfind("g-", 0) != 0 || base == current.string()) continue;
    UniqueFd held(::open(e.path().c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (!held || ::flock(held.get(), LOCK_EX | LOCK_NB) != 0) continue;  // a build uses it
    // Removed inside the user namespace: its files belong to mapped ids.
    Run({config_.sandbox, "--", "rm", "-rf", "--one-file-system", e.path().string()}, "rm");
    ++removed;
  }
  return removed;
}

void Roots::Remove(const std::string& name) {
  CheckName(name);
  fs::path dir = fs::path(config_.roots_dir) / name;
  if (!fs::exists(dir)) throw std::runtime_error("no root " + name);
  {
    UniqueFd lock = LockDir(dir);
    fs::remove(dir / "current");
  }
  Sweep(name);
  std::error_code ec;
  fs::remove(dir, ec);  // only when empty: a build still holds a generation
}

std::vector<RootInfo> Roots::List() const {
  std::vector<RootInfo> out;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(config_.roots_dir, ec)) {
    fs::path current = fs::read_symlink(e.path() / "current", ec);
    if (ec) continue;
    RootInfo info{e.path().filename().string(), current.string(), "", 0, {}};
    std::string text = Slurp(e.path() / current / ".cbit-root");
    info.cross = CrossIn(text);
    std::istringstream meta(text);
    for (std::string line; std::getline(meta, line);) {
      if (line.rfind("created=", 0) == 0) info.created = line.substr(8);
    }
    for (const auto& g : fs::directory_iterator(e.path(), ec)) {
      std::string base = g.path().filename().string();
      if (base.rfind("g-", 0) == 0 && base != current.string()) ++info.older;
    }
    out.push_back(info);
  }
  return out;
}

}  // namespace cbit::client
