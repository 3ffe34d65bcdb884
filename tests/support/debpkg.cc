#include "tests/support/debpkg.h"

#include <elf.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <vector>

#include "util/subprocess.h"

namespace cbit::testing {

std::string SleepMarker() { return "sleep 3141." + std::to_string(::getpid()); }

namespace fs = std::filesystem;
namespace {

void Write(const fs::path& path, const std::string& text) {
  fs::create_directories(path.parent_path());
  std::ofstream out(path);
  out << text;
  if (!out) throw std::runtime_error("cannot write " + path.string());
}

std::string Trimmed(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  return s;
}

std::string Control(const PackageSpec& spec) {
  bool any = spec.kind != PackageKind::kArchAll;
  std::string deps = "debhelper-compat (= 13)";
  if (!spec.extra_build_depends.empty()) deps += ", " + spec.extra_build_depends;
  return "Source: " + spec.name +
         "\nSection: misc\nPriority: optional\n"
         "Maintainer: cbit tests <cbit@example.org>\n"
         "Build-Depends: " +
         deps +
         "\nStandards-Version: 4.6.2\nRules-Requires-Root: no\n\n"
         "Package: " +
         spec.name + "\nArchitecture: " + (any ? "any" : "all") + "\nDepends: ${misc:Depends}" +
         (any ? ", ${shlibs:Depends}" : "") +
         "\nDescription: cbit test package\n A package the cbit tests build.\n";
}

// The C program, its Makefile (dh_auto_build and dh_auto_install run it),
// or for arch:all a script dh_install places.
void WriteUpstream(const PackageSpec& spec, const fs::path& dir) {
  if (spec.kind == PackageKind::kArchAll) {
    Write(dir / spec.name, "#!/bin/sh\necho hello from " + spec.name + "\n");
    fs::permissions(dir / spec.name, fs::perms::owner_exec, fs::perm_options::add);
    Write(dir / "debian" / "install", spec.name + " usr/bin\n");
    return;
  }
  std::string body = spec.kind == PackageKind::kArchAnyBroken
                         ? "int main(void) { return 0 }\n"
                         : "#include <stdio.h>\nint main(void) { puts(\"hello\"); return 0; }\n";
  Write(dir / "hello.c", body);
  std::string build = spec.kind == PackageKind::kArchAnySleeps
                          ? "\t" + SleepMarker() + "\n\t$(CC) -o hello hello.c\n"
                          : "\t$(CC) $(CFLAGS) $(CPPFLAGS) $(LDFLAGS) -o hello hello.c\n";
  for (auto it = spec.build_commands.rbegin(); it != spec.build_commands.rend(); ++it) {
    build = "\t" + *it + "\n" + build;
  }
  if (!spec.hold_file.empty()) {
    build = "\twhile test -e " + spec.hold_file + "; do sleep 1; done\n" + build;
  }
  Write(dir / "Makefile", "all: hello\nhello: hello.c\n" + build +
                              "install:\n\tinstall -D -m 755 hello $(DESTDIR)/usr/bin/" +
                              spec.name + "\nclean:\n\trm -f hello\n");
}

}  // namespace

std::string MustRun(const std::vector<std::string>& argv, const std::string& cwd) {
  Command cmd;
  cmd.argv = argv;
  cmd.cwd = cwd;
  cmd.timeout = std::chrono::minutes(5);
  CommandResult r = RunCommand(cmd);
  if (!r.ok()) {
    throw std::runtime_error(DescribeArgv(argv) + " failed (" + std::to_string(r.exit_code) +
                             "):\n" + r.output);
  }
  return r.output;
}

void WritePackage(const PackageSpec& spec, const std::string& dir) {
  fs::path d(dir);
  Write(d / "debian" / "control", Control(spec));
  Write(d / "debian" / "source" / "format", "3.0 (native)\n");
  Write(d / "debian" / "rules", "#!/usr/bin/make -f\n%:\n\tdh $@\n");
  fs::permissions(d / "debian" / "rules", fs::perms::owner_exec, fs::perm_options::add);
  Write(d / "debian" / "changelog",
        spec.name + " (" + spec.version + ") " + spec.suite +
            "; urgency=medium\n\n  * Test package.\n\n"
            " -- cbit tests <cbit@example.org>  Mon, 01 Jan 2024 00:00:00 +0000\n");
  WriteUpstream(spec, d);
}

GitRepo MakeGitRepo(const PackageSpec& spec, const std::string& scratch) {
  std::string path = (fs::path(scratch) / (spec.name + ".git")).string();
  WritePackage(spec, path);
  MustRun({"git", "init", "--quiet", path});
  MustRun({"git", "-C", path, "add", "--all"});
  MustRun({"git", "-C", path, "-c", "user.name=cbit tests", "-c", "user.email=cbit@example.org",
           "commit", "--quiet", "-m", "Import " + spec.name + " " + spec.version});
  return {path, Trimmed(MustRun({"git", "-C", path, "rev-parse", "HEAD"}))};
}

SvnRepo MakeSvnRepo(const GitRepo& git, const std::string& scratch) {
  fs::path root = fs::absolute(scratch);
  fs::path repo = root / "svnrepo", tarball = root / "export.tar", tree = root / "export";
  MustRun({"svnadmin", "create", repo.string()});
  MustRun({"git", "-C", git.path, "archive", "--format=tar", "-o", tarball.string(), git.commit});
  fs::create_directories(tree);
  MustRun({"tar", "-xf", tarball.string(), "-C", tree.string()});
  std::string url = "file://" + repo.string() + "/trunk";
  MustRun({"svn", "import", "--non-interactive", "--quiet", "-m", "Import", tree.string(), url});
  return {url, Trimmed(MustRun({"svnlook", "youngest", repo.string()}))};
}

std::string HostArch() { return Trimmed(MustRun({"dpkg", "--print-architecture"})); }

std::uint16_t ElfMachine(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  unsigned char header[EI_NIDENT + 4] = {};
  if (!in.read(reinterpret_cast<char*>(header), sizeof header)) {
    throw std::runtime_error("cannot read the ELF header of " + path);
  }
  if (header[EI_MAG0] != ELFMAG0 || header[EI_MAG1] != ELFMAG1 || header[EI_MAG2] != ELFMAG2 ||
      header[EI_MAG3] != ELFMAG3 || header[EI_CLASS] != ELFCLASS64 ||
      header[EI_DATA] != ELFDATA2LSB) {
    throw std::runtime_error(path + " is not a 64-bit little-endian ELF file");
  }
  // e_machine follows e_ident and the two bytes of e_type.
  return static_cast<std::uint16_t>(header[EI_NIDENT + 2] | (header[EI_NIDENT + 3] << 8));
}

std::string CrossToolchainProblem(const std::string& arch) {
  Command check;
  check.argv = {"dpkg-query", "-W", "-f=${Package}:${Architecture} ${Status}\n",
                "crossbuild-essential-" + arch, "libc6-dev:" + arch};
  CommandResult r = RunCommand(check);
  if (r.ok() && r.output.find("not-installed") == std::string::npos &&
      r.output.find("deinstall") == std::string::npos) {
    return "";
  }
  return "this machine cannot cross-build for " + arch + ": crossbuild-essential-" + arch +
         " and libc6-dev:" + arch + " must be installed (scripts/install-deps.sh: dpkg " +
         "--add-architecture " + arch + ", then apt-get install); dpkg-query says:\n" + r.output;
}

std::string CheckBuiltFor(const std::string& deb, const std::string& name, const std::string& arch,
                          const std::string& scratch) {
  std::string field = Trimmed(MustRun({"dpkg-deb", "-f", deb, "Architecture"}));
  if (field != arch) return deb + ": Architecture: " + field + ", not " + arch;
  fs::path tree = fs::path(scratch) / ("unpacked-" + fs::path(deb).filename().string());
  fs::create_directories(tree);
  MustRun({"dpkg-deb", "-x", deb, tree.string()});
  std::uint16_t want = arch == "arm64" ? EM_AARCH64 : arch == "amd64" ? EM_X86_64 : 0;
  std::uint16_t got = ElfMachine((tree / "usr" / "bin" / name).string());
  if (want == 0 || got != want) {
    return deb + ": /usr/bin/" + name + " has e_machine " + std::to_string(got) + ", not " + arch +
           "'s " + std::to_string(want);
  }
  return "";
}

void MakeIncomingRepository(const std::string& dir) {
  const std::string incoming = dir + "/incoming", repo = dir + "/repo";
  fs::create_directories(incoming);
  fs::create_directories(repo + "/conf");
  fs::create_directories(dir + "/tmp");
  std::ofstream(repo + "/conf/distributions")
      << "Codename: bookworm\nComponents: main\nArchitectures: " << HostArch() << " source\n";
  std::ofstream(repo + "/conf/incoming")
      << "Name: cbit\nIncomingDir: " << incoming << "\nTempDir: " << dir
      << "/tmp\nAllow: chickpea>bookworm\n";
}

}  // namespace cbit::testing
