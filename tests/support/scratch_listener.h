// Ties the scratch directories of tests/support/fixture.h to the tests that
// made them: removed when a test passes, kept when it fails.
#pragma once

#include <gtest/gtest.h>

#include <string>

#include "tests/support/fixture.h"

namespace cbit::testing {

class ScratchListener : public ::testing::EmptyTestEventListener {
 public:
  void OnTestStart(const ::testing::TestInfo& info) override {
    BeginTestScratch(std::string(info.test_suite_name()) + "." + info.name());
  }
  // gtest deletes the test object (and so stops what its fixture started)
  // before this event.
  void OnTestEnd(const ::testing::TestInfo& info) override {
    EndTestScratch(info.result()->Failed());
  }
  void OnTestProgramEnd(const ::testing::UnitTest& unit_test) override {
    SetProgramScratchOutcome(!unit_test.Passed());
  }
};

}  // namespace cbit::testing
