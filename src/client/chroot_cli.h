// `cbit-client chroot create|update|list|remove`: the isolated builder's
// roots (roots.h) from the command line.
#pragma once

#include <CLI/CLI.hpp>
#include <string>
#include <vector>

namespace cbit::client {

struct ChrootCli {
  CLI::App* chroot = nullptr;
  CLI::App* create = nullptr;
  CLI::App* update = nullptr;
  CLI::App* list = nullptr;
  CLI::App* remove = nullptr;
  std::string config_path;  ///< -c: roots_dir from the client's config
  std::string roots_dir;
  std::string suite;  ///< create: the suite; update/remove: the root's name
  std::string arch;   ///< default: dpkg --print-architecture
  std::string name;   ///< create: the chroot name (default: the suite)
  std::string mirror, tarball;
  std::vector<std::string> cross;  ///< create: --cross ARCH, repeatable
};

/// Adds the subcommands to `app`.
void AddChrootCommands(CLI::App& app, ChrootCli& cli);

/// Runs the subcommand given; its exit status (0, or 1 with the reason on
/// stderr).
int RunChrootCommand(const ChrootCli& cli);

/// cbit-sandbox beside the running program when it is there, else from PATH.
std::string SandboxBesideProgram();

}  // namespace cbit::client
