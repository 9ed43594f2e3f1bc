// Copyright (c) wtrocks authors.
#include "tests/lib/scratch_fs.h"

#include <stdlib.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>

namespace wtrocks::testing {

const char* ScratchFsName(ScratchFs fs) {
  switch (fs) {
    case ScratchFs::kXfs:
      return "xfs";
    case ScratchFs::kExt4:
      return "ext4";
    case ScratchFs::kSmall:
      return "small";
    case ScratchFs::kTmpfs:
      return "tmpfs";
  }
  return "?";
}

namespace {

const char* EnvKey(ScratchFs fs) {
  switch (fs) {
    case ScratchFs::kXfs:
      return "WTROCKS_SCRATCH_XFS";
    case ScratchFs::kExt4:
      return "WTROCKS_SCRATCH_EXT4";
    case ScratchFs::kSmall:
      return "WTROCKS_SCRATCH_SMALL";
    case ScratchFs::kTmpfs:
      return "WTROCKS_SCRATCH_TMPFS";
  }
  return "";
}

// The fixture's value for `key`: an explicit environment variable wins (for
// running a test binary by hand), then the fixture's env file.
std::string Lookup(const std::string& key) {
  if (const char* v = getenv(key.c_str())) return v;
  const char* file = getenv("WTROCKS_SCRATCH_ENV");
  if (file == nullptr) return "SKIP: WTROCKS_SCRATCH_ENV not set (run through ctest)";
  std::ifstream in(file);
  if (!in) return std::string("SKIP: scratch fixture did not run (no ") + file + ")";
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind(key + "=", 0) == 0) return line.substr(key.size() + 1);
  }
  return "SKIP: " + key + " missing from " + file;
}

}  // namespace

std::string ScratchDir(ScratchFs fs, std::string* skip_reason) {
  std::string base = Lookup(EnvKey(fs));
  if (base.empty() || base.rfind("SKIP", 0) == 0) {
    *skip_reason = std::string(ScratchFsName(fs)) + " scratch filesystem unavailable: " +
                   (base.empty() ? "not made" : base);
    return "";
  }
  std::string tmpl = base + "/t-XXXXXX";
  if (mkdtemp(tmpl.data()) == nullptr) {
    *skip_reason = "mkdtemp on " + base + " failed";
    return "";
  }
  return tmpl;
}

void RemoveTree(const std::string& path) {
  std::error_code ec;
  std::filesystem::remove_all(path, ec);
}

}  // namespace wtrocks::testing
