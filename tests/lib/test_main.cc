// Copyright (c) wtrocks authors.
//
// gtest main shared by the test binaries (weak, so a binary may bring its
// own). Nothing special: ctest reads "[  SKIPPED ]" from the output to report
// skipped tests as skipped.
#include <gtest/gtest.h>

__attribute__((weak)) int main(int argc, char** argv) {
  ::testing::InitGoogleTest(&argc, argv);
  return RUN_ALL_TESTS();
}
