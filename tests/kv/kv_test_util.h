// Copyright (c) wtrocks authors.
//
// Shared pieces of the KV tests: opening a KvDb on a scratch filesystem,
// reading a database back through RocksDB's default FileSystem (so the check
// does not trust the code under test), a completion hook a test can pause,
// and running the wtkv binary.
#pragma once

#include <atomic>
#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "tests/lib/file_util.h"

#include "engine/kv/kv_db.h"

namespace wtrocks::testing {

// Options for a test DB at `dir`/db: created if missing, everything else
// RocksDB's defaults unless the test changes it.
kv::KvOptions TestOptions(const std::string& dir);

// Every key/value in the DB at `path`, opened with RocksDB's default Env;
// fails the test (ADD_FAILURE) and returns {} if it cannot be opened.
std::map<std::string, std::string> ReadBack(const std::string& path);

// A wal/ completion hook that, once armed, blocks the next completion until
// released. wal/ calls the hook with the file's lock held, so while it is
// blocked, appends to that WAL (and so DB::Write) block too: release it from
// a thread that is not writing.
class CompletionGate {
 public:
  wal::CompletionFault Hook();
  void Arm();
  // Blocks until a completion is held by the armed gate.
  void WaitHeld();
  void Release();

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  bool armed_ = false;
  bool held_ = false;
  bool released_ = false;
};


// build/wtkv of the build tree ctest runs in (WTROCKS_BUILD_DIR).
std::string WtkvPath();

}  // namespace wtrocks::testing
