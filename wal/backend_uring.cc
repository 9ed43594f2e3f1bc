// Copyright (c) wtrocks authors.
//
// The io_uring backends. Each differs only in the RWF flags of its writes,
// the open flags, and whether the write is forced onto an io-wq worker.
//
//   mode          durable write flags            non-durable   open
//   writethrough  RWF_WRITETHROUGH | RWF_DSYNC   RWF_WRITETHROUGH
//   direct        RWF_DSYNC                      0             O_DIRECT
//   dsync         RWF_DSYNC (IOSQE_ASYNC)        0
//
// Why IOSQE_ASYNC for dsync only: on stock kernels a buffered RWF_DSYNC
// write through io_uring runs inline inside io_uring_submit() and sleeps
// there for the whole device flush (host-facts.md: 90-96% of the time).
// The submitter holds the ring's submit lock, so every other file would
// wait behind it. Forcing it to a worker keeps submit cheap; it is what the
// kernel does anyway once the write blocks. Write-through and direct writes
// are issued asynchronously by the kernel and need no such help.
#include <errno.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <sys/uio.h>

#include "wal/backend.h"

namespace wtrocks::wal {

namespace {

class UringBackend final : public Backend {
  int Flags(bool durable) const {
    int flags = 0;
    if (durable) flags |= RWF_DSYNC;
    if (mode_ == Mode::kWriteThrough) flags |= kRwfWriteThrough;
    return flags;
  }

 public:
  explicit UringBackend(Mode mode) : mode_(mode) {}
  Mode mode() const override { return mode_; }
  int open_flags() const override {
    return mode_ == Mode::kDirect ? O_DIRECT : 0;
  }

  int StartWrite(int fd, const void* buf, size_t len, uint64_t offset,
                 bool durable, IoCompletion* done) override {
    bool async = durable && mode_ == Mode::kDsync;
    return IoService::Default().SubmitWrite(fd, buf, static_cast<uint32_t>(len),
                                            offset, Flags(durable), async,
                                            done);
  }

  // pwritev2 with the ring write's flags: the kernel runs the same write
  // path, and the thread sleeps in it instead of in a wait for the reaper.
  int WriteNow(int fd, const void* buf, size_t len, uint64_t offset,
               bool durable) override {
    struct iovec iov = {const_cast<void*>(buf), len};
    ssize_t n;
    do {
      n = pwritev2(fd, &iov, 1, static_cast<off_t>(offset), Flags(durable));
    } while (n < 0 && errno == EINTR);
    return n < 0 ? -errno : static_cast<int>(n);
  }

 private:
  const Mode mode_;
};

}  // namespace

std::unique_ptr<Backend> MakeUringBackend(Mode mode) {
  return std::make_unique<UringBackend>(mode);
}

}  // namespace wtrocks::wal
