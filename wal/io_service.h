// Copyright (c) wtrocks authors.
//
// IoService: the one io_uring of the process, and its reaper thread.
// Internal to wal/.
//
// Ring ownership
//   One ring per process, shared by every DurableFile. Any thread may submit,
//   but only while holding submit_mu_ (liburing's SQ side is not thread-safe).
//   Only the reaper thread touches the CQ: it waits for completions and calls
//   IoCompletion::OnIoComplete for each, outside every IoService lock.
//
// Why one shared ring and not a ring per thread: appenders are RocksDB's
// threads, which come and go and must never be the ones to reap (a thread
// blocked in a sync write would hold other files' completions hostage). A
// single reaper gives every file the same completion path, and a durable
// write needs one submit lock acquisition, which is cheap next to a device
// write (see docs/design.md for the measurement).
#pragma once

#include <liburing.h>

#include <cstdint>
#include <mutex>
#include <thread>
#include <unordered_set>

#include "wal/status.h"

namespace wtrocks::wal {

class IoCompletion {
 public:
  // Runs on the reaper thread with the CQE's result (bytes or -errno).
  virtual void OnIoComplete(int res) = 0;

 protected:
  ~IoCompletion() = default;
};

class IoService {
 public:
  // The process-wide instance, created on first use and never destroyed (its
  // reaper may still deliver completions during static destruction).
  static IoService& Default();

  // OK, or why io_uring cannot be used here (with a hint per errno).
  const Status& init_status() const { return init_status_; }

  // Queues and submits one write. `async` forces execution on an io-wq worker
  // (IOSQE_ASYNC), for writes the kernel would otherwise run inline in
  // submit and block the submitter on the device. Returns 0, or -errno when
  // nothing was queued; `done` is called exactly once iff 0 is returned.
  int SubmitWrite(int fd, const void* buf, uint32_t len, uint64_t offset,
                  int rw_flags, bool async, IoCompletion* done);

 private:
  IoService();
  void ReapLoop();

  struct io_uring ring_;
  Status init_status_;
  std::mutex submit_mu_;
  // Every completion pointer handed to the kernel and not yet reaped: a CQE
  // whose user_data is not here is a bug (a double completion or a stray
  // CQE), and we abort rather than call into freed memory.
  std::mutex inflight_mu_;
  std::unordered_set<IoCompletion*> inflight_;
  std::thread reaper_;
};

// Blocks the caller until one write through IoService completes; for the
// probe and other one-off writes. Returns bytes or -errno.
int SyncUringWrite(int fd, const void* buf, uint32_t len, uint64_t offset,
                   int rw_flags);

}  // namespace wtrocks::wal
