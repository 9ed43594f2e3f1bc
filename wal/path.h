// Copyright (c) wtrocks authors.
//
// ParentDir: the directory a file lives in, the one definition wal/ and
// engine/ share (the probe, the WAL order gate, the info LOG choice and the
// WAL directory fsync must all agree on it).
#pragma once

#include <string>

namespace wtrocks::wal {

// "a/b/c" -> "a/b", "/x" -> "/", "x" -> ".", "a/" -> "a" (the path as
// given, not resolved: RocksDB names every file of a DB the same way).
inline std::string ParentDir(const std::string& path) {
  size_t slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  return slash == 0 ? "/" : path.substr(0, slash);
}

}  // namespace wtrocks::wal
