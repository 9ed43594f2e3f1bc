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

#include <errno.h>

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

  // Durable writes of bytes that are already in the page cache (the file
  // copies every append there first, DurableFileOptions::sync_in_place):
  // true when this backend makes such a write stable in place, by a
  // datasync of its range, rather than by writing the bytes a second time.
  // RWF_DSYNC on a buffered write is that copy followed by the same range
  // datasync (generic_write_sync), so in place is the same device work
  // without the second copy. `extends` as for StartWrite.
  virtual bool SyncsInPlace(bool /*extends*/) const { return false; }

  // Makes [offset, offset + len) stable in place; only when SyncsInPlace.
  // Post: `done->OnIoComplete(res)` runs exactly once on another thread with
  // 0 (the range and the metadata needed to read it are stable) or -errno.
  // Returns 0, or -errno when it could not be started (then `done` is never
  // called).
  virtual int StartSyncInPlace(int /*fd*/, uint64_t /*offset*/,
                               uint64_t /*len*/, IoCompletion* /*done*/) {
    return -EOPNOTSUPP;
  }

  // The same on the calling thread (waiter_writes): 0 or -errno. There is
  // no ranged fdatasync(2), so this may make more of the file stable.
  virtual int SyncInPlaceNow(int /*fd*/, uint64_t /*offset*/,
                             uint64_t /*len*/) {
    return -EOPNOTSUPP;
  }
};

// fdatasync(2) retried on EINTR: 0 or -errno. Every backend's way of
// making bytes already in the page cache stable on the calling thread.
int Datasync(int fd);

std::unique_ptr<Backend> MakeUringBackend(Mode mode);
std::unique_ptr<Backend> MakeSyncBackend();

inline std::unique_ptr<Backend> MakeBackend(Mode mode) {
  return mode == Mode::kFsync ? MakeSyncBackend() : MakeUringBackend(mode);
}

}  // namespace wtrocks::wal
