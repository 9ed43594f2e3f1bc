// Copyright (c) wtrocks authors.
//
// The fsync backend: pwrite(2) then fdatasync(2), as RocksDB's
// PosixWritableFile does, run on a small pool of threads so that the file's
// completion path is the same as for io_uring modes. Needs no io_uring, so
// it is also what remains when io_uring is disabled.
#include <errno.h>
#include <unistd.h>

#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>

#include "wal/backend.h"

namespace wtrocks::wal {

namespace {

struct Job {
  int fd;
  const void* buf;  // nullptr: the bytes are in the page cache, only sync
  size_t len;
  uint64_t offset;
  bool durable;
  IoCompletion* done;
};

// Each file has at most one write in flight, so the pool size bounds how
// many files can be in fdatasync at once, not correctness.
constexpr int kThreads = 4;

class SyncPool {
 public:
  static SyncPool& Default() {
    static SyncPool* pool = new SyncPool();  // leaked: see IoService
    return *pool;
  }

  void Push(const Job& job) {
    std::lock_guard<std::mutex> l(mu_);
    jobs_.push_back(job);
    cv_.notify_one();
  }

 private:
  SyncPool() {
    for (int i = 0; i < kThreads; i++) std::thread([this] { Run(); }).detach();
  }

  void Run() {
    for (;;) {
      Job job;
      {
        std::unique_lock<std::mutex> l(mu_);
        cv_.wait(l, [this] { return !jobs_.empty(); });
        job = jobs_.front();
        jobs_.pop_front();
      }
      job.done->OnIoComplete(Execute(job));
    }
  }

 public:
  // Returns bytes written or -errno, like a CQE. A short pwrite is returned
  // as such (DurableFile resubmits the rest) and is not synced: durability
  // is only claimed for a whole write.
  static int Execute(const Job& job) {
    if (job.buf == nullptr) return Datasync(job.fd);
    ssize_t n;
    do {
      n = pwrite(job.fd, job.buf, job.len, static_cast<off_t>(job.offset));
    } while (n < 0 && errno == EINTR);
    if (n < 0) return -errno;
    if (job.durable && static_cast<size_t>(n) == job.len) {
      int r = Datasync(job.fd);
      if (r != 0) return r;
    }
    return static_cast<int>(n);
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Job> jobs_;
};

class SyncBackend final : public Backend {
 public:
  Mode mode() const override { return Mode::kFsync; }
  bool durable_write_calls_fsync() const override { return true; }
  int StartWrite(int fd, const void* buf, size_t len, uint64_t offset,
                 bool durable, bool /*extends*/, IoCompletion* done) override {
    SyncPool::Default().Push(Job{fd, buf, len, offset, durable, done});
    return 0;
  }
  int WriteNow(int fd, const void* buf, size_t len, uint64_t offset,
               bool durable, bool /*extends*/) override {
    return SyncPool::Execute(Job{fd, buf, len, offset, durable, nullptr});
  }
  // Without the pwrite, fsync mode is exactly that fdatasync.
  bool SyncsInPlace(bool /*extends*/) const override { return true; }
  int StartSyncInPlace(int fd, uint64_t offset, uint64_t len,
                       IoCompletion* done) override {
    SyncPool::Default().Push(Job{fd, nullptr, len, offset, true, done});
    return 0;
  }
  int SyncInPlaceNow(int fd, uint64_t /*offset*/, uint64_t /*len*/) override {
    return Datasync(fd);
  }
};

}  // namespace

int Datasync(int fd) {
  int r;
  do {
    r = fdatasync(fd);
  } while (r != 0 && errno == EINTR);
  return r == 0 ? 0 : -errno;
}

std::unique_ptr<Backend> MakeSyncBackend() {
  return std::make_unique<SyncBackend>();
}

}  // namespace wtrocks::wal
