// The build tests' fixture: a build directory with an (empty) unpacked
// tree; the fake runner "builds" by writing the .changes file
// dpkg-buildpackage or sbuild would leave.
#pragma once

#include <filesystem>
#include <fstream>

#include "client/fake_runner.h"
#include "testing/test_dir.h"

namespace cbit::client {

struct BuildDir {
  testing::TestDir tmp;
  std::filesystem::path dir = tmp.path();
  std::filesystem::path tree = dir / "hello-cbit";
  FakeRunner runner;

  BuildDir() {
    std::filesystem::create_directories(tree);
    runner.respond = [this](const Command& c) {
      if (c.argv[0] != "dpkg-source") std::ofstream(dir / "hello-cbit_1.0-2_amd64.changes");
      CommandResult r;
      r.exit_code = 0;
      return r;
    };
  }
};

}  // namespace cbit::client
