// Generates tiny native Debian source packages for the client's integration
// tests, and puts them into real git and svn repositories the fetchers can
// read from.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace cbit::testing {

/// What the generated package builds.
enum class PackageKind {
  kArchAll,        ///< Architecture: all; installs a small shell script
  kArchAny,        ///< Architecture: any; a tiny C program built by a Makefile
  kArchAnyBroken,  ///< as kArchAny, but the C source does not compile
  kArchAnySleeps,  ///< as kArchAny, but the build sleeps `sleep 3141` (for cancel tests)
};

struct PackageSpec {
  std::string name = "hello-cbit";
  std::string version = "1.0";
  std::string suite = "bookworm";
  PackageKind kind = PackageKind::kArchAny;
  std::string extra_build_depends;  ///< appended to Build-Depends when not empty
  /// kArchAny: when set, the build waits while this file exists (a test
  /// holds a build in progress and lets it go).
  std::string hold_file;
  /// kArchAny: shell lines the build runs first (make recipe lines: "$$"
  /// for "$"); one that fails fails the build.
  std::vector<std::string> build_commands;
};

/// The argv of the sleep kArchAnySleeps runs, for finding stray processes:
/// "sleep 3141.<pid of the test program>", so two test programs running at
/// once never see each other's builds.
std::string SleepMarker();

struct GitRepo {
  std::string path;    ///< a non-bare repository, usable as a clone URI
  std::string commit;  ///< the commit holding the package
};

struct SvnRepo {
  std::string url;       ///< file:// URL of the trunk holding the package
  std::string revision;  ///< the revision that imported it
};

/// Writes the source tree of `spec` into `dir` (created).
void WritePackage(const PackageSpec& spec, const std::string& dir);

/// A git repository under `scratch` with the package committed in it.
GitRepo MakeGitRepo(const PackageSpec& spec, const std::string& scratch);

/// An svn repository under `scratch` with the files of `git` (exported with
/// `git archive`) imported into trunk.
SvnRepo MakeSvnRepo(const GitRepo& git, const std::string& scratch);

/// `dpkg --print-architecture`.
std::string HostArch();

/// A reprepro repository in `dir`/repo for bookworm (this host's arch and
/// source) whose rule "cbit" takes uploads for chickpea from `dir`/incoming
/// (`dir`/tmp is reprepro's scratch space).
void MakeIncomingRepository(const std::string& dir);

/// The architecture the cross-build tests build for on this machine.
inline constexpr const char* kCrossArch = "arm64";

/// The e_machine of the ELF file at `path` (EM_AARCH64, EM_X86_64, …);
/// throws std::runtime_error when it is not a 64-bit little-endian ELF file.
std::uint16_t ElfMachine(const std::string& path);

/// Checks that the build machine can cross-build for `arch` (the packages
/// scripts/install-deps.sh installs); the message names what is missing.
/// Empty when it can.
std::string CrossToolchainProblem(const std::string& arch);

/// Checks the binary package `deb`, built from a kArchAny PackageSpec named
/// `name` for `arch` (arm64 or amd64): its Architecture field, and the
/// e_machine of the program it installs. Empty when both are right, else
/// what is wrong.
std::string CheckBuiltFor(const std::string& deb, const std::string& name, const std::string& arch,
                          const std::string& scratch);

/// Runs argv (in `cwd` when set) and returns its output; throws
/// std::runtime_error with the output when it fails.
std::string MustRun(const std::vector<std::string>& argv, const std::string& cwd = "");

}  // namespace cbit::testing
