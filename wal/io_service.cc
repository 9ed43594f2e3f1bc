// Copyright (c) wtrocks authors.
#include "wal/io_service.h"

#include <errno.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <string>

namespace wtrocks::wal {

namespace {

// Submission queue size. At most one data write per file is in flight, so this
// bounds how many files write at once before the reaper has to submit in
// several rounds, not the number of open files.
constexpr unsigned kRingEntries = 256;

// user_data of the eventfd read that wakes the reaper.
IoCompletion* const kWakeTag = nullptr;

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

[[noreturn]] void Die(const char* what, int err) {
  // The ring is in a state we cannot reason about: requests may or may not
  // have reached the kernel, so neither success nor failure can be reported
  // truthfully for them. Stop the process rather than guess.
  fprintf(stderr, "wtrocks: fatal: %s: %s\n", what, strerror(err));
  abort();
}

}  // namespace

IoService& IoService::Default() {
  static IoService* service = new IoService();
  return *service;
}

IoService::IoService() {
  int ret = io_uring_queue_init(kRingEntries, &ring_, 0);
  if (ret < 0) {
    init_status_ =
        Status::NotSupported("io_uring unavailable: " + SetupHint(-ret) + " (" +
                                 ErrnoName(-ret) + ")",
                             -ret);
    return;
  }
  wake_fd_ = eventfd(0, EFD_CLOEXEC);
  if (wake_fd_ < 0) {
    init_status_ = Status::FromErrno(errno, "eventfd for the io_uring reaper");
    io_uring_queue_exit(&ring_);
    return;
  }
  std::thread reaper([this] { ReapLoop(); });
  reaper_id_ = reaper.get_id();
  reaper.detach();
}

int IoService::SubmitWrite(int fd, const void* buf, uint32_t len,
                           uint64_t offset, int rw_flags, bool async,
                           IoCompletion* done) {
  return Queue(Request{fd, buf, len, offset, rw_flags, async, false, done});
}

int IoService::SubmitDatasync(int fd, uint64_t offset, uint32_t len,
                              IoCompletion* done) {
  return Queue(Request{fd, nullptr, len, offset, 0, true, true, done});
}

int IoService::Queue(const Request& r) {
  if (!init_status_.ok()) return -init_status_.err();
  {
    std::lock_guard<std::mutex> l(queue_mu_);
    queue_.push_back(r);
  }
  // The reaper drains the queue before it sleeps again, so it needs no wake
  // for its own requests.
  if (std::this_thread::get_id() != reaper_id_) {
    uint64_t one = 1;
    while (write(wake_fd_, &one, sizeof(one)) < 0 && errno == EINTR) {
    }
  }
  return 0;
}

struct io_uring_sqe* IoService::GetSqe() {
  struct io_uring_sqe* sqe;
  while ((sqe = io_uring_get_sqe(&ring_)) == nullptr) {
    int ret = io_uring_submit(&ring_);
    if (ret < 0 && ret != -EAGAIN && ret != -EBUSY && ret != -EINTR)
      Die("io_uring_submit", -ret);
  }
  return sqe;
}

void IoService::PrepWakeRead() {
  struct io_uring_sqe* sqe = GetSqe();
  io_uring_prep_read(sqe, wake_fd_, &wake_buf_, sizeof(wake_buf_), 0);
  io_uring_sqe_set_data(sqe, kWakeTag);
}

void IoService::SubmitQueued() {
  std::vector<Request> batch;
  {
    std::lock_guard<std::mutex> l(queue_mu_);
    batch.swap(queue_);
  }
  for (const Request& r : batch) {
    struct io_uring_sqe* sqe = GetSqe();
    if (r.datasync) {
      // The kernel reads the range from off and len (0 would mean "to the
      // end of the file"; callers never pass it).
      io_uring_prep_fsync(sqe, r.fd, IORING_FSYNC_DATASYNC);
      sqe->off = r.offset;
      sqe->len = r.len;
    } else {
      io_uring_prep_write(sqe, r.fd, r.buf, r.len, r.offset);
      sqe->rw_flags = r.rw_flags;
    }
    if (r.async) sqe->flags |= IOSQE_ASYNC;
    io_uring_sqe_set_data(sqe, r.done);
    inflight_.insert(r.done);
  }
}

void IoService::ReapLoop() {
  PrepWakeRead();
  std::vector<std::pair<IoCompletion*, int>> done;
  for (;;) {
    SubmitQueued();
    int ret = io_uring_submit_and_wait(&ring_, 1);
    if (ret < 0 && ret != -EINTR && ret != -EAGAIN && ret != -EBUSY) {
      Die("io_uring_submit_and_wait", -ret);
    }
    struct io_uring_cqe* cqe;
    unsigned head, seen = 0;
    io_uring_for_each_cqe(&ring_, head, cqe) {
      done.emplace_back(static_cast<IoCompletion*>(io_uring_cqe_get_data(cqe)),
                        cqe->res);
      seen++;
    }
    io_uring_cq_advance(&ring_, seen);
    for (auto [c, res] : done) {
      if (c == kWakeTag) {
        PrepWakeRead();
        continue;
      }
      if (inflight_.erase(c) != 1) {
        fprintf(stderr, "wtrocks: stray io_uring completion %p res=%d\n",
                static_cast<void*>(c), res);
        abort();
      }
      c->OnIoComplete(res);
    }
    done.clear();
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
