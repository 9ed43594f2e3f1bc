// Copyright (c) wtrocks authors.
//
// CompletionGate: a wal/ completion hook a test can pause, to hold a write
// in flight for as long as the test needs (no real device does that on
// demand).
#pragma once

#include <condition_variable>
#include <mutex>

#include "wal/durable_file.h"

namespace wtrocks::testing {

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

}  // namespace wtrocks::testing
