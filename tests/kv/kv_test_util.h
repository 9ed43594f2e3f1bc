// Copyright (c) wtrocks authors.
//
// Shared pieces of the KV tests: opening a KvDb on a scratch filesystem,
// reading a database back through RocksDB's default FileSystem (so the check
// does not trust the code under test), and running the wtkv binary.
#pragma once

#include <atomic>
#include <map>
#include <memory>
#include <string>

#include "tests/lib/completion_gate.h"
#include "tests/lib/file_util.h"

#include "engine/kv/kv_db.h"

namespace wtrocks::testing {

// Options for a test DB at `dir`/db: created if missing, everything else
// RocksDB's defaults unless the test changes it.
kv::KvOptions TestOptions(const std::string& dir);

// Every key/value in the DB at `path`, opened with RocksDB's default Env;
// fails the test (ADD_FAILURE) and returns {} if it cannot be opened.
std::map<std::string, std::string> ReadBack(const std::string& path);



// build/wtkv of the build tree ctest runs in (WTROCKS_BUILD_DIR).
std::string WtkvPath();

}  // namespace wtrocks::testing
