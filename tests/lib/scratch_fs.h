// Copyright (c) wtrocks authors.
//
// Test access to the loop-device filesystems made by lib/scratch-fs.sh.
#pragma once

#include <string>

namespace wtrocks::testing {

// Kinds made by the fixture.
enum class ScratchFs { kXfs, kExt4, kSmall, kTmpfs };
const char* ScratchFsName(ScratchFs fs);

// Returns a fresh, empty directory on `fs` (removed by the fixture's cleanup
// with the whole filesystem), or "" and the reason in *skip_reason when that
// filesystem is not available on this machine.
std::string ScratchDir(ScratchFs fs, std::string* skip_reason);

// Removes a directory tree (best effort).
void RemoveTree(const std::string& path);

}  // namespace wtrocks::testing

// In a gtest body: binds `var` to a fresh directory on `fs`, or skips the
// test with the fixture's reason.
#define WTROCKS_SCRATCH_DIR_OR_SKIP(var, fs)                            \
  std::string var;                                                      \
  do {                                                                  \
    std::string wtrocks_skip_reason_;                                   \
    var = ::wtrocks::testing::ScratchDir(fs, &wtrocks_skip_reason_);    \
    if (var.empty()) GTEST_SKIP() << wtrocks_skip_reason_;              \
  } while (0)
