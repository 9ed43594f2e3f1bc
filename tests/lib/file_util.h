// Copyright (c) wtrocks authors.
//
// Small file and process helpers shared by the test binaries.
#pragma once

#include <cstdint>
#include <string>

namespace wtrocks::testing {

// Whole content of `path` through the page cache ("" when it cannot be
// opened).
std::string ReadAll(const std::string& path);

// st_size of `path`, or 0 when it does not exist.
uint64_t FileSize(const std::string& path);

// Runs `cmd` through the shell with stderr merged into `*output`; returns
// its exit status, or -1 when it could not run or was killed.
int RunCommand(const std::string& cmd, std::string* output);

}  // namespace wtrocks::testing
