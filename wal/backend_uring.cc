// Copyright (c) wtrocks authors.
//
// The io_uring backends. Each differs only in the RWF flags of its writes,
// the open flags, and whether the write is forced onto an io-wq worker.
//
//   mode          durable write flags            non-durable   open
//   writethrough  RWF_WRITETHROUGH | RWF_DSYNC   RWF_WRITETHROUGH
//                 (extending: as dsync)
//   direct        RWF_DSYNC                      0             O_DIRECT
//   dsync         RWF_DSYNC (IOSQE_ASYNC)        0
//
// Why write-through only for durable overwrites: a durable write that
// extends the file needs XFS's log force for the new size whatever the
// flags, and write-through then adds a FUA data write to the log force's
// cache flush. In the VM (NVMe with FUA) a QD1 4 KiB durable append costs
// 194/s by write-through against 259/s by write + fdatasync, and fillsync
// on a fresh (appended) WAL ran at 0.85x the default FileSystem in
// writethrough mode and 1.10x in dsync mode (docs/results-bench.md). On an
// overwrite (a recycled WAL) write-through's FUA write is the whole cost:
// 2344/s.
//
// Why IOSQE_ASYNC for buffered RWF_DSYNC writes (dsync, and write-through
// mode's extending ones): on stock kernels a buffered RWF_DSYNC write
// through io_uring runs inline inside io_uring_submit() and sleeps there for
// the whole device flush (host-facts.md: 90-96% of the time). The submitter
// holds the ring's submit lock, so every other file would wait behind it.
// Forcing it to a worker keeps submit cheap; it is what the kernel does
// anyway once the write blocks. Write-through and direct writes are issued
// asynchronously by the kernel and need no such help.
#include <errno.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <sys/uio.h>

#include <cstdint>

#include "wal/backend.h"

namespace wtrocks::wal {

namespace {

class UringBackend final : public Backend {
  bool WriteThrough(bool durable, bool extends) const {
    return mode_ == Mode::kWriteThrough && !(durable && extends);
  }
  int Flags(bool durable, bool extends) const {
    int flags = 0;
    if (durable) flags |= RWF_DSYNC;
    if (WriteThrough(durable, extends)) flags |= kRwfWriteThrough;
    return flags;
  }

 public:
  explicit UringBackend(Mode mode) : mode_(mode) {}
  Mode mode() const override { return mode_; }
  int open_flags() const override {
    return mode_ == Mode::kDirect ? O_DIRECT : 0;
  }

  int StartWrite(int fd, const void* buf, size_t len, uint64_t offset,
                 bool durable, bool extends, IoCompletion* done) override {
    // A buffered RWF_DSYNC write without write-through would sleep in
    // submit (see above).
    bool async =
        durable && mode_ != Mode::kDirect && !WriteThrough(durable, extends);
    return IoService::Default().SubmitWrite(fd, buf, static_cast<uint32_t>(len),
                                            offset, Flags(durable, extends),
                                            async, done);
  }

  // pwritev2 with the ring write's flags: the kernel runs the same write
  // path, and the thread sleeps in it instead of in a wait for the reaper.
  int WriteNow(int fd, const void* buf, size_t len, uint64_t offset,
               bool durable, bool extends) override {
    struct iovec iov = {const_cast<void*>(buf), len};
    ssize_t n;
    do {
      n = pwritev2(fd, &iov, 1, static_cast<off_t>(offset),
                   Flags(durable, extends));
    } while (n < 0 && errno == EINTR);
    return n < 0 ? -errno : static_cast<int>(n);
  }

  bool SyncsInPlace(bool extends) const override {
    return mode_ == Mode::kDsync || (mode_ == Mode::kWriteThrough && extends);
  }

  int StartSyncInPlace(int fd, uint64_t offset, uint64_t len,
                       IoCompletion* done) override {
    if (len == 0 || len > UINT32_MAX) return -EINVAL;
    return IoService::Default().SubmitDatasync(
        fd, offset, static_cast<uint32_t>(len), done);
  }

  int SyncInPlaceNow(int fd, uint64_t /*offset*/, uint64_t /*len*/) override {
    return Datasync(fd);
  }

 private:
  const Mode mode_;
};

}  // namespace

std::unique_ptr<Backend> MakeUringBackend(Mode mode) {
  return std::make_unique<UringBackend>(mode);
}

}  // namespace wtrocks::wal
