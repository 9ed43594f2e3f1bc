// Copyright (c) wtrocks authors.
//
// gtest main shared by the test binaries (weak, so a binary may bring its
// own). Before the tests run it loads the scratch fixture's env file (named
// by $WTROCKS_SCRATCH_ENV) into the environment, without overriding what is
// already set: ctest can pass only one environment variable through
// gtest_discover_tests (see tests/CMakeLists.txt).
#include <gtest/gtest.h>
#include <stdlib.h>

#include <fstream>
#include <string>

__attribute__((weak)) int main(int argc, char** argv) {
  if (const char* file = getenv("WTROCKS_SCRATCH_ENV")) {
    std::ifstream in(file);
    std::string line;
    while (std::getline(in, line)) {
      size_t eq = line.find('=');
      if (eq != std::string::npos && eq > 0) {
        setenv(line.substr(0, eq).c_str(), line.substr(eq + 1).c_str(), 0);
      }
    }
  }
  ::testing::InitGoogleTest(&argc, argv);
  return RUN_ALL_TESTS();
}
