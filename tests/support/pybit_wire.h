// The captures of pyBit 1.0 in tests/data/pybit-wire, read as golden fixtures.
#pragma once

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>

namespace cbit::testing {

/// The whole text of a capture file, e.g. "06_GET_job_1.body".
inline std::string PyBitFixture(const std::string& name) {
  std::ifstream in(std::string(CBIT_SOURCE_DIR) + "/tests/data/pybit-wire/" + name);
  EXPECT_TRUE(in) << "missing fixture " << name;
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

/// The BODY of the n-th message (from 0) in an amqp_*.txt capture.
inline std::string PyBitAmqpBody(const std::string& file, int n) {
  std::istringstream in(PyBitFixture(file));
  std::string line;
  int seen = 0;
  while (std::getline(in, line))
    if (line.rfind("BODY: ", 0) == 0 && seen++ == n) return line.substr(6);
  return "";
}

}  // namespace cbit::testing
