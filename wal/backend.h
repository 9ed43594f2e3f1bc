// Copyright (c) wtrocks authors.
//
// Backend: how one mode executes a write. Internal to wal/. DurableFile owns
// the ordering, buffering and watermark; a backend only starts a write and
// reports its result. One file per backend:
//   backend_uring.cc  writethrough, direct, dsync: io_uring writes whose
//                     completion means stable (IoService's ring)
//   backend_sync.cc   fsync: pwrite + fdatasync on a small thread pool, the
//                     reference behaviour and the fallback without io_uring
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>

#include "wal/io_service.h"
#include "wal/mode.h"

namespace wtrocks::wal {

class Backend {
 public:
  virtual ~Backend() = default;
  virtual Mode mode() const = 0;

  // Extra open(2) flags the backend needs on the file (O_DIRECT).
  virtual int open_flags() const { return 0; }

  // Starts writing `len` bytes of `buf` at `offset`. `extends` says that
  // the write ends past every earlier write of the file, so a durable one
  // also has to make the file's new size stable; a backend may pick its
  // mechanism by it, never its guarantee.
  // Pre: buf stays valid and unchanged until `done` runs; for kDirect, buf,
  //      len and offset are aligned to the probed alignment.
  // Post: `done->OnIoComplete(res)` runs exactly once on another thread with
  //      bytes written or -errno; if `durable`, a positive res means those
  //      bytes (and the metadata needed to read them back) are stable.
  // Returns 0, or -errno when the write could not be started (then `done`
  // is never called).
  virtual int StartWrite(int fd, const void* buf, size_t len, uint64_t offset,
                         bool durable, bool extends, IoCompletion* done) = 0;

  // The same write done on the calling thread: returns what StartWrite's
  // completion would have carried (bytes written or -errno), with the same
  // meaning. For a thread that would otherwise only wait for the completion
  // (DurableFileOptions::waiter_writes).
  virtual int WriteNow(int fd, const void* buf, size_t len, uint64_t offset,
                       bool durable, bool extends) = 0;

  // True when a durable StartWrite makes an fsync-family call (for stats).
  virtual bool durable_write_calls_fsync() const { return false; }
};

std::unique_ptr<Backend> MakeUringBackend(Mode mode);
std::unique_ptr<Backend> MakeSyncBackend();

inline std::unique_ptr<Backend> MakeBackend(Mode mode) {
  return mode == Mode::kFsync ? MakeSyncBackend() : MakeUringBackend(mode);
}

}  // namespace wtrocks::wal
