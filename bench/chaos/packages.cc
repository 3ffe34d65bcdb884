#include "bench/chaos/packages.h"

#include <fstream>
#include <sstream>
#include <stdexcept>

#include "tests/support/debpkg.h"
#include "util/subprocess.h"

namespace cbit::chaos {
namespace {

void Inline(std::ostringstream& out, const std::string& mode, const std::string& path,
            const std::string& text) {
  out << "M " << mode << " inline " << path << "\ndata " << text.size() << "\n" << text << "\n";
}

std::string Control(const std::string& name) {
  return "Source: " + name +
         "\nSection: misc\nPriority: optional\nMaintainer: cbit tests <cbit@example.org>\n"
         "Standards-Version: 4.6.2\nRules-Requires-Root: no\n\nPackage: " +
         name +
         "\nArchitecture: all\nDescription: cbit fault-injection package\n"
         " A package the fault-injection run builds.\n";
}

// The binary package by hand: dpkg-gencontrol and dpkg-deb, nothing else.
std::string Rules(const std::string& name) {
  const std::string doc = "debian/tmp/usr/share/doc/" + name;
  return "#!/usr/bin/make -f\nbuild build-arch build-indep binary-arch:\nclean:\n"
         "\trm -rf debian/tmp debian/files\nbinary binary-indep:\n"
         "\tinstall -d debian/tmp/DEBIAN " +
         doc + "\n\tcp debian/changelog " + doc + "/\n\tdpkg-gencontrol -p" + name +
         "\n\tdpkg-deb -Zgzip --build debian/tmp ..\n";
}

void Commit(std::ostringstream& out, int n, const std::string& suite) {
  const std::string name = "chaos-" + std::to_string(n);
  const std::string message = "Import " + name + "\n";
  out << "commit refs/heads/main\nmark :" << n
      << "\ncommitter cbit tests <cbit@example.org> 1704067200 +0000\ndata " << message.size()
      << "\n"
      << message << "deleteall\n";
  Inline(out, "100644", "debian/control", Control(name));
  Inline(out, "100644", "debian/changelog",
         name + " (1.0) " + suite +
             "; urgency=medium\n\n  * Fault injection.\n\n"
             " -- cbit tests <cbit@example.org>  Mon, 01 Jan 2024 00:00:00 +0000\n");
  Inline(out, "100755", "debian/rules", Rules(name));
  Inline(out, "100644", "debian/source/format", "3.0 (native)\n");
  Inline(out, "100644", "debian/source/options", "compression = \"gzip\"\n");
  out << "\n";
}

}  // namespace

std::vector<ChaosPackage> MakePackageRepository(const std::string& path, int count,
                                                const std::string& suite) {
  testing::MustRun({"git", "init", "--quiet", "--initial-branch=main", path});
  std::ostringstream stream;
  for (int n = 1; n <= count; ++n) Commit(stream, n, suite);
  const std::string marks = path + "/.git/chaos-marks";
  Command cmd;
  cmd.argv = {"git", "-C", path, "fast-import", "--quiet", "--export-marks=" + marks};
  cmd.stdin_data = stream.str();
  cmd.timeout = std::chrono::minutes(10);
  if (CommandResult r = RunCommand(cmd); !r.ok())
    throw std::runtime_error("git fast-import failed: " + r.output);
  testing::MustRun({"git", "-C", path, "reset", "--quiet", "--hard", "main"});
  std::vector<ChaosPackage> out(static_cast<std::size_t>(count));
  std::ifstream in(marks);
  std::string mark, commit;
  while (in >> mark >> commit) {
    int n = std::stoi(mark.substr(1));
    if (n >= 1 && n <= count)
      out[static_cast<std::size_t>(n - 1)] = {"chaos-" + std::to_string(n), commit};
  }
  for (const auto& p : out)
    if (p.commit.empty()) throw std::runtime_error("git fast-import left a package out");
  return out;
}

}  // namespace cbit::chaos
