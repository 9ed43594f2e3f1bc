// Copyright (c) wtrocks authors.
#include "wal/io_service.h"

#include <errno.h>
#include <string.h>

#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <string>

namespace wtrocks::wal {

namespace {

// Submission queue size. At most one data write and one prezero write per
// file are in flight, so this bounds the files writing at once before
// submitters wait for SQ space, not the number of open files.
constexpr unsigned kRingEntries = 256;

std::string SetupHint(int err) {
  switch (err) {
    case EPERM:
      return "io_uring is disabled (sysctl kernel.io_uring_disabled) or "
             "blocked by seccomp";
    case ENOSYS:
      return "this kernel has no io_uring";
    case ENOMEM:
    case EMFILE:
      return "out of locked memory or file descriptors (ulimit -l / -n)";
    default:
      return "io_uring_queue_init failed";
  }
}

}  // namespace

IoService& IoService::Default() {
  static IoService* service = new IoService();
  return *service;
}

IoService::IoService() {
  int ret = io_uring_queue_init(kRingEntries, &ring_, 0);
  if (ret < 0) {
    init_status_ = Status::NotSupported(
        "io_uring unavailable: " + SetupHint(-ret) + " (" + ErrnoName(-ret) + ")",
        -ret);
    return;
  }
  reaper_ = std::thread([this] { ReapLoop(); });
  reaper_.detach();
}

int IoService::SubmitWrite(int fd, const void* buf, uint32_t len,
                           uint64_t offset, int rw_flags, bool async,
                           IoCompletion* done) {
  if (!init_status_.ok()) return -init_status_.err();
  {
    std::lock_guard<std::mutex> l(inflight_mu_);
    inflight_.insert(done);
  }
  std::lock_guard<std::mutex> l(submit_mu_);
  struct io_uring_sqe* sqe = io_uring_get_sqe(&ring_);
  while (sqe == nullptr) {
    // The SQ is full of unsubmitted entries only if a previous submit failed
    // part-way; push them out and try again.
    int ret = io_uring_submit(&ring_);
    if (ret < 0 && ret != -EAGAIN && ret != -EBUSY && ret != -EINTR) {
      std::lock_guard<std::mutex> il(inflight_mu_);
      inflight_.erase(done);
      return ret;
    }
    sqe = io_uring_get_sqe(&ring_);
  }
  io_uring_prep_write(sqe, fd, buf, len, offset);
  sqe->rw_flags = rw_flags;
  if (async) sqe->flags |= IOSQE_ASYNC;
  io_uring_sqe_set_data(sqe, done);
  for (;;) {
    int ret = io_uring_submit(&ring_);
    if (ret >= 0) return 0;
    // EAGAIN/EBUSY: the kernel is short of request memory or the CQ is
    // overflowing; the SQE stays queued, so retrying cannot double it.
    if (ret == -EAGAIN || ret == -EBUSY || ret == -EINTR) {
      std::this_thread::yield();
      continue;
    }
    // The SQE may remain queued and be submitted by the next caller; then
    // its completion would still arrive. We cannot take it back, so treat
    // this as fatal for the process' I/O rather than report a write that
    // might still happen as failed.
    fprintf(stderr, "wtrocks: io_uring_submit failed: %s\n", strerror(-ret));
    abort();
  }
}

void IoService::ReapLoop() {
  for (;;) {
    struct io_uring_cqe* cqe = nullptr;
    int ret = io_uring_wait_cqe(&ring_, &cqe);
    if (ret == -EINTR || ret == -EAGAIN) continue;
    if (ret < 0) {
      fprintf(stderr, "wtrocks: io_uring_wait_cqe failed: %s\n", strerror(-ret));
      abort();
    }
    auto* done = static_cast<IoCompletion*>(io_uring_cqe_get_data(cqe));
    int res = cqe->res;
    io_uring_cqe_seen(&ring_, cqe);
    {
      std::lock_guard<std::mutex> l(inflight_mu_);
      if (inflight_.erase(done) != 1) {
        fprintf(stderr, "wtrocks: stray io_uring completion %p res=%d\n",
                static_cast<void*>(done), res);
        abort();
      }
    }
    done->OnIoComplete(res);
  }
}

namespace {

class Latch final : public IoCompletion {
 public:
  void OnIoComplete(int res) override {
    std::lock_guard<std::mutex> l(mu_);
    res_ = res;
    done_ = true;
    cv_.notify_all();
  }
  int Wait() {
    std::unique_lock<std::mutex> l(mu_);
    cv_.wait(l, [this] { return done_; });
    return res_;
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  bool done_ = false;
  int res_ = 0;
};

}  // namespace

int SyncUringWrite(int fd, const void* buf, uint32_t len, uint64_t offset,
                   int rw_flags) {
  Latch latch;
  int ret = IoService::Default().SubmitWrite(fd, buf, len, offset, rw_flags,
                                             false, &latch);
  if (ret < 0) return ret;
  return latch.Wait();
}

}  // namespace wtrocks::wal
