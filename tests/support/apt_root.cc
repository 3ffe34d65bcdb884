#include "tests/support/apt_root.h"

#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <vector>

#include "util/subprocess.h"

namespace cbit::testing {

namespace fs = std::filesystem;

AptRoot::AptRoot(std::string dir, const std::string& sources_line) : dir_(std::move(dir)) {
  for (const char* d : {"etc/apt/apt.conf.d", "etc/apt/preferences.d", "etc/apt/sources.list.d",
                        "var/lib/apt/lists/partial", "var/cache/apt/archives/partial",
                        "var/lib/dpkg/info", "var/lib/dpkg/updates", "var/log"})
    fs::create_directories(fs::path(dir_) / d);
  std::ofstream(dir_ + "/var/lib/dpkg/status");
  std::ofstream(dir_ + "/etc/apt/sources.list") << sources_line << "\n";
}

void AptRoot::Install(const std::string& package) {
  // Everything apt and dpkg read or write is under dir_; no lock on the
  // machine's dpkg, no sandbox user (the lists are ours), no proxy.
  std::vector<std::string> opts = {"-o", "Dir=" + dir_,
                                   "-o", "Dir::State::status=" + dir_ + "/var/lib/dpkg/status",
                                   "-o", "Dir::Log=" + dir_ + "/var/log",
                                   "-o", "DPkg::Options::=--root=" + dir_,
                                   "-o", "DPkg::Options::=--log=" + dir_ + "/var/log/dpkg.log",
                                   "-o", "Debug::NoLocking=1",
                                   "-o", "APT::Sandbox::User=root",
                                   "-o", "Acquire::http::Proxy=DIRECT",
                                   "-o", "Acquire::Languages=none",
                                   "-o", "Dpkg::Use-Pty=0"};
  auto apt = [&](std::vector<std::string> args) {
    Command cmd;
    cmd.argv = {"apt-get", "-q"};
    cmd.argv.insert(cmd.argv.end(), opts.begin(), opts.end());
    cmd.argv.insert(cmd.argv.end(), args.begin(), args.end());
    cmd.env = {"DEBIAN_FRONTEND=noninteractive"};
    cmd.timeout = std::chrono::minutes(5);
    CommandResult r = RunCommand(cmd);
    if (!r.ok()) throw std::runtime_error("apt-get " + args.front() + " failed:\n" + r.output);
  };
  apt({"update"});
  apt({"install", "-y", package});
}

std::string AptRoot::InstalledVersion(const std::string& package) const {
  CommandResult r = RunCommand({.argv = {"dpkg-query", "--admindir=" + dir_ + "/var/lib/dpkg", "-W",
                                         "-f=${Version}", package}});
  return r.ok() ? r.output : "";
}

}  // namespace cbit::testing
