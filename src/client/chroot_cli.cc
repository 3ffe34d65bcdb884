#include "client/chroot_cli.h"

#include <filesystem>
#include <iostream>

#include "client/config.h"
#include "client/roots.h"
#include "client/runner.h"

namespace cbit::client {
namespace fs = std::filesystem;
namespace {

std::string HostArch() {
  CommandResult r = RunCommand({{"dpkg", "--print-architecture"}});
  std::string arch = r.output;
  while (!arch.empty() && (arch.back() == '\n' || arch.back() == ' ')) arch.pop_back();
  return arch;
}

std::string RootsDir(const ChrootCli& cli) {
  if (!cli.roots_dir.empty()) return cli.roots_dir;
  if (!cli.config_path.empty()) return LoadConfig(cli.config_path).build.roots_dir;
  return BuildConfig{}.roots_dir;
}

void PrintList(const Roots& roots) {
  for (const RootInfo& r : roots.List()) {
    std::cout << r.name << "\t" << r.generation << "\tcreated " << r.created;
    if (!r.cross.empty()) {
      std::cout << "\tcross";
      for (const auto& a : r.cross) std::cout << " " << a;
    }
    if (r.older > 0) std::cout << "\t(" << r.older << " older still in use)";
    std::cout << "\n";
  }
}

}  // namespace

std::string SandboxBesideProgram() {
  std::error_code ec;
  fs::path beside = fs::read_symlink("/proc/self/exe", ec).parent_path() / "cbit-sandbox";
  if (!ec && fs::exists(beside)) return beside.string();
  return "cbit-sandbox";
}

void AddChrootCommands(CLI::App& app, ChrootCli& cli) {
  cli.chroot = app.add_subcommand("chroot", "manage the isolated builder's roots");
  cli.chroot->require_subcommand(1);
  cli.chroot->add_option("--roots-dir", cli.roots_dir,
                         "where the roots are (default: roots_dir of -c, or "
                         "/var/lib/cbit-client/roots)");
  cli.chroot->add_option("-c,--config", cli.config_path, "the client's config file");
  cli.create = cli.chroot->add_subcommand("create", "make the root of SUITE (kept when it exists)");
  cli.create->add_option("suite", cli.suite, "the suite")->required();
  cli.create->add_option("--arch", cli.arch, "architecture (default: this machine's)");
  cli.create->add_option("--name", cli.name, "chroot name {build_env}-{suite} (default: SUITE)");
  cli.create->add_option("--mirror", cli.mirror, "archive URI (default: apt's source of SUITE)");
  cli.create->add_option("--from-tarball", cli.tarball, "unpack this instead of mmdebstrap");
  cli.create
      ->add_option("--cross", cli.cross,
                   "also cross-build for ARCH: its crossbuild-essential and libc6-dev "
                   "(repeatable; added to an existing root in a new generation)")
      ->allow_extra_args(false);
  cli.update = cli.chroot->add_subcommand("update", "new packages and lists, switched atomically");
  cli.update->add_option("root", cli.suite, "the root's name, {chroot}-{arch}")->required();
  cli.list =
      cli.chroot->add_subcommand("list", "the roots held: name, generation, creation, cross archs");
  cli.remove = cli.chroot->add_subcommand("remove", "remove a root (once no build uses it)");
  cli.remove->add_option("root", cli.suite, "the root's name, {chroot}-{arch}")->required();
}

int RunChrootCommand(const ChrootCli& cli) {
  try {
    SubprocessRunner runner;
    LogSink out = [](std::string_view s) { std::cout << s << std::flush; };
    // Absolute: the tarball is unpacked from inside the new generation.
    std::string tarball = cli.tarball.empty() ? "" : fs::absolute(cli.tarball).string();
    Roots roots({fs::absolute(RootsDir(cli)).string(), SandboxBesideProgram(), cli.mirror, tarball},
                runner, out);
    if (*cli.create) {
      std::string arch = cli.arch.empty() ? HostArch() : cli.arch;
      bool made = roots.Create(cli.name.empty() ? cli.suite : cli.name, cli.suite, arch, cli.cross);
      if (!made) std::cout << "root exists; kept (cbit-client chroot update to refresh it)\n";
    } else if (*cli.update) {
      roots.Update(cli.suite);
    } else if (*cli.remove) {
      roots.Remove(cli.suite);
    } else {
      PrintList(roots);
    }
    return 0;
  } catch (const std::exception& e) {
    std::cerr << "cbit-client chroot: " << e.what() << "\n";
    return 1;
  }
}

}  // namespace cbit::client
