// Copyright (c) wtrocks authors.
//
// IoService: the one io_uring of the process, and its reaper thread.
// Internal to wal/.
//
// Ring ownership
//   One ring per process, shared by every DurableFile, and one thread, the
//   reaper, that alone submits to it and reaps from it. Other threads hand
//   their writes over through queue_ and wake the reaper through an eventfd
//   that the reaper keeps a read armed on. Completion handlers run on the
//   reaper, outside every IoService lock, and may queue further writes.
//
// Why not submit from the appending thread: io_uring ties a request that it
// punts to an io-wq worker to the task that submitted it, and cancels it
// (-ECANCELED) when that task exits. Appenders are RocksDB's threads, which
// come and go (we saw exactly this with short-lived appender threads). The
// reaper lives as long as the process, so its requests are never cancelled.
// The hand-over costs one eventfd write and a wake-up per idle-to-busy
// transition of a file; a busy file's next write is submitted by the reaper
// from the previous write's completion, with no hand-over at all.
#pragma once

#include <liburing.h>

#include <cstdint>
#include <mutex>
#include <thread>
#include <unordered_set>
#include <vector>

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

  // Queues one write for the reaper to submit. `async` forces execution on
  // an io-wq worker (IOSQE_ASYNC), for writes the kernel would otherwise run
  // inline in submit and block the reaper on the device. Returns 0, or
  // -errno when io_uring is unusable; `done` is called exactly once (on the
  // reaper, never from inside this call) iff 0 is returned.
  int SubmitWrite(int fd, const void* buf, uint32_t len, uint64_t offset,
                  int rw_flags, bool async, IoCompletion* done);

  // Queues an IORING_OP_FSYNC with IORING_FSYNC_DATASYNC of
  // [offset, offset + len) (vfs_fsync_range), always on an io-wq worker:
  // it sleeps for the device. Returns and calls back as SubmitWrite; the
  // completion carries 0 or -errno.
  int SubmitDatasync(int fd, uint64_t offset, uint32_t len, IoCompletion* done);

 private:
  struct Request {
    int fd;
    const void* buf;
    uint32_t len;
    uint64_t offset;
    int rw_flags;
    bool async;
    bool datasync;  // an FSYNC of the range, not a write of buf
    IoCompletion* done;
  };

  int Queue(const Request& r);

  IoService();
  void ReapLoop();
  void PrepWakeRead();
  void SubmitQueued();
  struct io_uring_sqe* GetSqe();

  struct io_uring ring_;
  Status init_status_;
  int wake_fd_ = -1;
  uint64_t wake_buf_ = 0;
  std::thread::id reaper_id_;

  std::mutex queue_mu_;
  std::vector<Request> queue_;  // guarded by queue_mu_

  // Reaper-only state. Every completion pointer handed to the kernel and
  // not yet reaped: a CQE whose user_data is not here is a bug (a double
  // completion or a stray CQE), and we abort rather than call into freed
  // memory.
  std::unordered_set<IoCompletion*> inflight_;
};

// Blocks the caller until one write through IoService completes; for the
// probe and other one-off writes. Returns bytes or -errno.
int SyncUringWrite(int fd, const void* buf, uint32_t len, uint64_t offset,
                   int rw_flags);

}  // namespace wtrocks::wal
