// Copyright (c) wtrocks authors.
//
// DurableFile's implementation. Map of wal/:
//   durable_file.{h,cc}  ordering, buffering, coalescing, watermark,
//                        preallocation
//   backend.h            the per-mode write interface
//   backend_uring.cc     writethrough / direct / dsync through io_uring
//   backend_sync.cc      fsync: pwrite + fdatasync on a thread pool
//   io_service.{h,cc}    the process' ring and its reaper thread
//   probe.{h,cc}         which modes work where
//
// Offsets (all guarded by mu_), always written_ <= submitted_ <= size_ and
// durable_ <= written_:
//   size_       logical end: every byte appended so far
//   ready_      sync_in_place only: end of the bytes already copied into
//               the page cache, the most a write may cover (a datasync of
//               a range must not run before its bytes are there); without
//               it every appended byte is ready (ReadyLocked)
//   submitted_  end of the bytes handed to the backend (in flight or done)
//   written_    end of the bytes whose write completed
//   durable_    the watermark: every byte below it is stable
//   wanted_     the largest offset anyone waited for (WaitDurable,
//               OnDurable, Close); with defer_bytes, bytes below it are
//               submitted at once, bytes above it only once defer_bytes of
//               them are buffered
// buf_ holds the bytes [buf_base_, size_): what is not yet submitted, plus,
// for the direct mode, the partial block before it, which the next aligned
// write must rewrite. A file that always syncs in place (dsync) keeps none:
// its writes never send bytes (keep_bytes_).
//
// The file's size on disk is never ahead of its data (apart from the direct
// mode's block padding): preallocation keeps the size (FALLOC_FL_KEEP_SIZE),
// so each durable append extends the file and its completion covers the new
// size. docs/design.md ("Preallocation, not a zero tail") says why wal/ no
// longer writes zeros ahead of the end.
#include "wal/durable_file.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/falloc.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <condition_variable>
#include <map>
#include <mutex>
#include <type_traits>
#include <vector>

#include "wal/backend.h"
#include "wal/path.h"
#include "wal/probe.h"

namespace wtrocks::wal {

namespace {

// Preallocation granularity: the filesystem allocates in blocks anyway.
constexpr uint64_t kPreallocAlign = 4096;
// An EAGAIN completion means the write was not attempted; retrying it is
// safe, but a kernel that keeps answering EAGAIN is treated as an error.
constexpr int kMaxEagainRetries = 100;
// Largest range one in-place sync covers (a CQE's result is an int).
constexpr uint64_t kMaxInPlaceBytes = uint64_t{1} << 30;

uint64_t AlignDown(uint64_t v, uint64_t a) { return v / a * a; }
uint64_t AlignUp(uint64_t v, uint64_t a) { return (v + a - 1) / a * a; }

uint64_t NowMicros() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

struct AlignedFree {
  void operator()(uint8_t* p) const { free(p); }
};

class DurableFileImpl final : public DurableFile {
 public:
  DurableFileImpl(std::string path, const DurableFileOptions& opts, Mode mode,
                  std::string reason, std::unique_ptr<Backend> backend, int fd,
                  uint32_t align, uint64_t existing_size)
      : path_(std::move(path)),
        opts_(opts),
        mode_(mode),
        reason_(std::move(reason)),
        backend_(std::move(backend)),
        fd_(fd),
        align_(align),
        max_write_(
            AlignUp(opts.max_write_bytes ? opts.max_write_bytes : 1, align)),
        copy_on_append_(opts.process_crash_safe && mode != Mode::kDirect),
        defer_(opts.defer_bytes > 0 &&
               opts.durability == Durability::kEveryWrite),
        in_place_(opts.sync_in_place && copy_on_append_ &&
                  opts.durability == Durability::kEveryWrite &&
                  backend_->SyncsInPlace(true)),
        keep_bytes_(!(in_place_ && backend_->SyncsInPlace(false))),
        prealloc_end_(existing_size),
        physical_size_(existing_size),
        gate_(opts.first_write_gate ? Gate::kAsk : Gate::kOpen),
        data_io_(this) {}

  ~DurableFileImpl() override { Close(); }

  Status Append(const void* data, size_t n, uint64_t* end_offset) override {
    // In place, ready_ must be a prefix of the file, so the page-cache
    // copies land in offset order: one Append at a time (RocksDB appends
    // to a WAL from one thread at a time anyway).
    std::unique_lock<std::mutex> order(append_mu_, std::defer_lock);
    if (in_place_) order.lock();
    std::unique_lock<std::mutex> l(mu_);
    if (closing_) return Status::Aborted("append to closed file " + path_);
    if (!error_.ok()) return error_;
    const auto* p = static_cast<const uint8_t*>(data);
    if (keep_bytes_) buf_.insert(buf_.end(), p, p + n);
    uint64_t start = size_;
    size_ += n;
    if (end_offset) *end_offset = size_;
    Count(&Stats::appends, 1);
    Count(&Stats::append_bytes, n);
    MaybeSubmitLocked();
    if (copy_on_append_ && error_.ok()) {
      // Outside mu_: the range is ours alone, and a pwrite may sleep (on a
      // folio under write-through I/O, for one). A durable write that
      // sends bytes sends these same bytes again from buf_, so the order of
      // the two does not matter: nothing else ever writes this range (no
      // zero writes, see the file comment). One in place must come after
      // the copy: only then do the bytes become ready.
      Status ws = WithFdUnlocked(
          l, [&](int fd) { return CopyToKernel(fd, p, n, start); });
      if (!ws.ok()) {
        FailLocked(ws);
      } else if (in_place_) {
        ready_ = start + n;
        MaybeSubmitLocked();
      }
    }
    MaybePreallocateLocked(l);
    Status s = error_;
    DeliverLocked(l);
    return s;
  }

  Status WaitDurable(uint64_t offset) override {
    if (opts_.durability == Durability::kOnSync) return SyncTo(offset);
    std::unique_lock<std::mutex> l(mu_);
    if (offset > size_) return BeyondEnd(offset);
    if (opts_.waiter_writes && gate_ == Gate::kOpen && !inflight_ &&
        submitted_ < offset && submitted_ < ReadyLocked() && error_.ok() &&
        !closed_) {
      // A lone waiter: nothing in flight to wait behind, so writing here
      // costs the same device time and saves the trip through the reaper.
      WriteAsWaiterLocked(l);
    }
    WantLocked(offset);
    DeliverLocked(l);  // the gate's question, if WantLocked asked it
    cv_.wait(l, [&] { return durable_ >= offset || !error_.ok() || closed_; });
    if (!error_.ok()) return error_;
    if (durable_ >= offset) return Status::OK();
    return Status::Aborted("file " + path_ + " closed while waiting");
  }

  void OnDurable(uint64_t offset, DurableCallback cb) override {
    std::unique_lock<std::mutex> l(mu_);
    if (opts_.durability == Durability::kOnSync) {
      deliver_.emplace_back(
          std::move(cb),
          Status::InvalidArgument("OnDurable on a kOnSync file " + path_));
    } else if (!error_.ok()) {
      deliver_.emplace_back(std::move(cb), error_);
    } else if (offset > size_) {
      deliver_.emplace_back(std::move(cb), BeyondEnd(offset));
    } else if (durable_ >= offset) {
      deliver_.emplace_back(std::move(cb), Status::OK());
    } else if (closed_) {
      deliver_.emplace_back(std::move(cb),
                            Status::Aborted("file " + path_ + " closed"));
    } else {
      waiters_.emplace(offset, std::move(cb));
      WantLocked(offset);
    }
    DeliverLocked(l);
  }

  Status Sync() override { return WaitDurable(size()); }

  Status Allocate(uint64_t offset, uint64_t len) override {
    std::unique_lock<std::mutex> l(mu_);
    if (closing_) return Status::Aborted("allocate in closed file " + path_);
    if (len == 0) return Status::OK();
    NoteReserveLocked(offset + len);
    int err = WithFdUnlocked(l, [&](int fd) {
      return fallocate(fd, FALLOC_FL_KEEP_SIZE, static_cast<off_t>(offset),
                       static_cast<off_t>(len)) == 0
                 ? 0
                 : errno;
    });
    if (err != 0) {
      GiveBackLocked(l);
      return Status::FromErrno(
          err, WriteContext(offset, len, "fallocate(KEEP_SIZE)"));
    }
    Count(&Stats::prealloc_calls, 1);
    Count(&Stats::prealloc_bytes, len);
    if (offset <= prealloc_end_ && offset + len > prealloc_end_)
      prealloc_end_ = offset + len;
    return Status::OK();
  }

  Status Close() override {
    std::unique_lock<std::mutex> l(mu_);
    if (closed_) return close_status_;
    closing_ = true;
    if (durable_each_write()) WantLocked(size_);
    DeliverLocked(l);  // the gate's question, if WantLocked asked it
    if (opts_.durability == Durability::kOnSync) {
      uint64_t end = size_;
      l.unlock();
      SyncTo(end);  // its error, if any, is in error_
      l.lock();
    }
    // The completion chain submits whatever is still buffered; wait for it
    // to drain (or to stop at the first error), and for every syscall that
    // uses fd_ outside mu_ (page-cache copies, fallocate, fdatasync), so
    // that closing the fd cannot let one of them reach a reused number.
    // A gate asked must have answered: its `go` holds this object.
    cv_.wait(l, [&] {
      return !inflight_ && fd_users_ == 0 && gate_ != Gate::kAsking &&
             (!error_.ok() || (submitted_ == size_ && durable_ == size_) ||
              opts_.durability == Durability::kOnSync);
    });
    Status s = error_;
    // The direct mode's padding leaves zeros past the logical end; trim
    // them. No fsync: if a crash undoes the truncate, the reader sees the
    // zero tail the format already tolerates (zero_tail_ok).
    if (physical_size_ > size_ &&
        ftruncate(fd_, static_cast<off_t>(size_)) != 0 && s.ok()) {
      s = Status::FromErrno(
          errno, "trimming " + path_ + " to " + std::to_string(size_));
    }
    // Give back the blocks reserved past the end, as RocksDB's own files
    // do. Space only: a failure or a crash that undoes it loses nothing.
    ReleaseReserveLocked();
    if (close(fd_) != 0 && s.ok())
      s = Status::FromErrno(errno, "close " + path_);
    fd_ = -1;
    closed_ = true;
    close_status_ = s;
    FailWaitersLocked(s.ok() ? Status::Aborted("file " + path_ + " closed")
                             : s);
    cv_.notify_all();
    DeliverLocked(l);
    // A completion handler or another thread's callback delivery may still
    // be running on this object with mu_ released; the caller may free us
    // as soon as we return.
    cv_.wait(l, [&] { return handlers_ == 0 && !delivering_; });
    return s;
  }

  uint64_t size() const override {
    std::lock_guard<std::mutex> l(mu_);
    return size_;
  }
  uint64_t durable_offset() const override {
    std::lock_guard<std::mutex> l(mu_);
    return durable_;
  }
  Status status() const override {
    std::lock_guard<std::mutex> l(mu_);
    return error_;
  }
  Mode mode() const override { return mode_; }
  const std::string& mode_reason() const override { return reason_; }
  const std::string& path() const override { return path_; }
  const Stats& stats() const override { return stats_; }

 private:
  struct DataIo final : IoCompletion {
    explicit DataIo(DurableFileImpl* f) : file(f) {}
    void OnIoComplete(int res) override { file->OnDataComplete(res); }
    DurableFileImpl* file;
  };

  void Count(std::atomic<uint64_t> Stats::*field, uint64_t n) {
    (stats_.*field).fetch_add(n, std::memory_order_relaxed);
    (GlobalStats().*field).fetch_add(n, std::memory_order_relaxed);
  }

  // Runs fn(fd) with mu_ released and returns its result. Close waits for
  // every such call before it closes the fd: reading fd_ after mu_ is
  // dropped could otherwise reach a number Close released and another file
  // reused (an fdatasync there would "succeed" on the wrong file).
  template <typename Fn>
  std::invoke_result_t<Fn, int> WithFdUnlocked(std::unique_lock<std::mutex>& l,
                                               Fn fn) {
    int fd = fd_;
    fd_users_++;
    l.unlock();
    auto r = fn(fd);
    l.lock();
    if (--fd_users_ == 0) cv_.notify_all();
    return r;
  }

  Status CopyToKernel(int fd, const uint8_t* p, size_t n, uint64_t off) {
    while (n > 0) {
      ssize_t w = pwrite(fd, p, n, static_cast<off_t>(off));
      if (w < 0 && errno == EINTR) continue;
      if (w <= 0) {
        return Status::FromErrno(w < 0 ? errno : EIO,
                                 WriteContext(off, n, "page-cache copy"));
      }
      p += w;
      off += static_cast<uint64_t>(w);
      n -= static_cast<size_t>(w);
    }
    return Status::OK();
  }

  Status BeyondEnd(uint64_t offset) const {
    return Status::InvalidArgument("offset " + std::to_string(offset) +
                                   " is beyond the end (" +
                                   std::to_string(size_) + ") of " + path_);
  }

  std::string WriteContext(uint64_t off, uint64_t len, const char* what) const {
    return std::string(what) + " of " + std::to_string(len) +
           " bytes at offset " + std::to_string(off) + " to " + path_ + " (" +
           ModeName(mode_) + ")";
  }

  bool durable_each_write() const {
    return opts_.durability == Durability::kEveryWrite;
  }

  // End of the bytes a write may cover now (see ready_).
  uint64_t ReadyLocked() const { return in_place_ ? ready_ : size_; }

  // Someone waits for the bytes below `offset`: deferred bytes up to there
  // must go out now.
  void WantLocked(uint64_t offset) {
    if (offset > wanted_) wanted_ = offset;
    MaybeSubmitLocked();
  }

  // Starts the next data write if none is in flight and, with defer_bytes,
  // if someone waits for unsubmitted bytes or enough of them are buffered.
  // Caller holds mu_.
  void MaybeSubmitLocked() {
    const uint64_t ready = ReadyLocked();
    if (!error_.ok() || inflight_ || submitted_ == ready) return;
    if (defer_ && wanted_ <= submitted_ &&
        ready - submitted_ < opts_.defer_bytes) {
      return;
    }
    if (gate_ != Gate::kOpen) {
      if (gate_ == Gate::kAsk) AskGateLocked();
      return;
    }
    if (PrepareNextLocked()) StartCurrentLocked();
  }

  // The first write is due: ask the gate, outside mu_ (DeliverLocked runs
  // it), since its `go` may come inline.
  void AskGateLocked() {
    gate_ = Gate::kAsking;
    deliver_.emplace_back(
        [this](const Status&) {
          opts_.first_write_gate([this](const Status& s) { OpenGate(s); });
        },
        Status::OK());
  }

  void OpenGate(const Status& s) {
    std::unique_lock<std::mutex> l(mu_);
    gate_ = Gate::kOpen;
    if (!s.ok()) {
      FailLocked(s);
    } else {
      MaybeSubmitLocked();
    }
    cv_.notify_all();
    DeliverLocked(l);
  }

  // The next data write, done by the calling thread with mu_ released (the
  // write stays the file's one write in flight meanwhile), completed here.
  void WriteAsWaiterLocked(std::unique_lock<std::mutex>& l) {
    if (!PrepareNextLocked()) return;
    const uint8_t* p = cur_ptr_;
    const uint64_t len = cur_len_, off = cur_off_;
    const bool in_place = cur_in_place_;
    int res = WithFdUnlocked(l, [&](int fd) {
      return in_place ? backend_->SyncInPlaceNow(fd, off, len)
                      : backend_->WriteNow(fd, p, len, off,
                                           durable_each_write(), cur_extends_);
    });
    Count(&Stats::waiter_writes, 1);
    CompleteLocked(l, res);
  }

  // Takes the next write's bytes out of buf_ into the I/O buffer (or, in
  // place, only its range) and marks it in flight; false (and the file
  // failed) if there is no memory for it.
  bool PrepareNextLocked() {
    uint64_t start = submitted_;
    uint64_t ready = ReadyLocked();
    // In place (align_ is 1 there) a whole deferred tail is one datasync:
    // capping it would pay the log force and cache flush once per piece.
    cur_in_place_ = in_place_ && backend_->SyncsInPlace(ready > physical_size_);
    uint64_t cap = cur_in_place_ ? kMaxInPlaceBytes : max_write_;
    uint64_t end = ready - start > cap ? start + cap : ready;
    uint64_t io_off = AlignDown(start, align_);
    uint64_t io_end = AlignUp(end, align_);
    uint64_t io_len = io_end - io_off;
    if (cur_in_place_) {
      cur_ptr_ = nullptr;
    } else if (io_cap_ < io_len) {
      void* p = nullptr;
      if (posix_memalign(&p, 4096, io_len) != 0) {
        FailLocked(
            Status::FromErrno(ENOMEM, WriteContext(io_off, io_len, "buffer")));
        return false;
      }
      io_buf_.reset(static_cast<uint8_t*>(p));
      io_cap_ = io_len;
    }
    if (!cur_in_place_) {
      memcpy(io_buf_.get(), buf_.data() + (io_off - buf_base_), end - io_off);
      memset(io_buf_.get() + (end - io_off), 0, io_end - end);
      cur_ptr_ = io_buf_.get();
    }
    cur_off_ = io_off;
    cur_len_ = io_len;
    cur_end_ = end;
    cur_start_us_ = NowMicros();
    eagain_retries_ = 0;
    submitted_ = end;
    // Keep only what the next write needs: for direct, the partial block.
    uint64_t keep_from = AlignDown(end, align_);
    if (keep_bytes_) {
      buf_.erase(buf_.begin(),
                 buf_.begin() + static_cast<ptrdiff_t>(keep_from - buf_base_));
    }
    buf_base_ = keep_from;
    inflight_ = true;
    cur_extends_ = io_end > physical_size_;
    if (cur_extends_) physical_size_ = io_end;
    return true;
  }

  void StartCurrentLocked() {
    int r = cur_in_place_
                ? backend_->StartSyncInPlace(fd_, cur_off_, cur_len_, &data_io_)
                : backend_->StartWrite(fd_, cur_ptr_, cur_len_, cur_off_,
                                       durable_each_write(), cur_extends_,
                                       &data_io_);
    if (r < 0) {
      inflight_ = false;
      FailLocked(Status::FromErrno(
          -r, WriteContext(cur_off_, cur_len_, "submitting write")));
    }
  }

  void OnDataComplete(int res) {
    std::unique_lock<std::mutex> l(mu_);
    CompleteLocked(l, res);
  }

  // The end of the write in flight, on the reaper (or the fsync pool, or the
  // thread that made it with waiter_writes).
  void CompleteLocked(std::unique_lock<std::mutex>& l, int res) {
    handlers_++;
    // An in-place sync completes with 0 for the whole range.
    if (cur_in_place_ && res == 0) res = static_cast<int>(cur_len_);
    if (opts_.completion_fault)
      res = opts_.completion_fault(cur_off_, cur_len_, res);
    if (res == -EAGAIN && ++eagain_retries_ <= kMaxEagainRetries) {
      StartCurrentLocked();
    } else if (res <= 0) {
      inflight_ = false;
      int err = res < 0 ? -res : EIO;
      FailLocked(Status::FromErrno(
          err, WriteContext(cur_off_, cur_len_,
                            res < 0 ? "write" : "write (0 bytes done)")));
    } else if (static_cast<uint64_t>(res) < cur_len_) {
      // Not durable until every byte is: write the rest, then acknowledge.
      Count(&Stats::short_writes, 1);
      cur_off_ += res;
      cur_ptr_ += res;
      cur_len_ -= res;
      StartCurrentLocked();
    } else {
      inflight_ = false;
      written_ = cur_end_;
      Count(&Stats::data_writes, 1);
      if (durable_each_write()) {
        if (cur_in_place_) Count(&Stats::in_place_syncs, 1);
        Count(cur_in_place_ || backend_->durable_write_calls_fsync()
                  ? &Stats::fsync_calls
                  : &Stats::fsync_avoided,
              1);
        ReachedDurableLocked(written_, cur_start_us_);
      }
      MaybeSubmitLocked();
    }
    cv_.notify_all();
    DeliverLocked(l);
    handlers_--;
    cv_.notify_all();
  }

  void NoteReserveLocked(uint64_t end) {
    if (end > reserve_end_) reserve_end_ = end;
  }

  // A fallocate that failed (ENOSPC above all) may have kept part of its
  // range: ext4 and XFS do. Give that back at once, or a reserve RocksDB
  // asked for (1.1 x write_buffer_size) takes the space its MANIFEST and
  // SSTs need (durability_enospc_wal_* failed that way).
  void GiveBackLocked(std::unique_lock<std::mutex>& l) {
    // With no page-cache copy in flight the file's size is size_, so a
    // truncate to it changes no byte; ext4 frees blocks past the end only
    // on truncate (its punch hole stops at the size).
    cv_.wait(l, [&] { return fd_users_ == 0; });
    ReleaseReserveLocked();
  }

  // Frees every block past size_, up to the end of every reserve ever asked
  // for (failed ones included): a truncate to size_ (ext4 frees past-EOF
  // blocks only so; the caller made sure the file's size is size_ or that
  // shrinking to it is intended), then a punch (XFS). The direct mode's
  // padding is Close's to trim, so it is not truncated here.
  void ReleaseReserveLocked() {
    if (fd_ < 0) return;
    if (mode_ != Mode::kDirect &&
        ftruncate(fd_, static_cast<off_t>(size_)) != 0) {
      return;
    }
    uint64_t keep = AlignUp(size_, kPreallocAlign);
    if (reserve_end_ > keep) {
      fallocate(fd_, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE,
                static_cast<off_t>(keep),
                static_cast<off_t>(reserve_end_ - keep));
    }
  }

  // Keeps preallocate_bytes reserved past the end with KEEP_SIZE, so the
  // size never runs ahead of the data. Called from Append, whose thread
  // pays for one fallocate per preallocate_bytes / 2 appended.
  void MaybePreallocateLocked(std::unique_lock<std::mutex>& l) {
    if (opts_.preallocate_bytes == 0 || prealloc_disabled_ ||
        prealloc_running_ || closing_ || !error_.ok() ||
        prealloc_end_ >= size_ + opts_.preallocate_bytes / 2) {
      return;
    }
    uint64_t from = prealloc_end_ > size_ ? prealloc_end_
                                          : AlignDown(size_, kPreallocAlign);
    uint64_t to = AlignUp(size_ + opts_.preallocate_bytes, kPreallocAlign);
    NoteReserveLocked(to);
    prealloc_running_ = true;
    int err = WithFdUnlocked(l, [&](int fd) {
      return fallocate(fd, FALLOC_FL_KEEP_SIZE, static_cast<off_t>(from),
                       static_cast<off_t>(to - from)) == 0
                 ? 0
                 : errno;
    });
    prealloc_running_ = false;
    if (err != 0) {
      GiveBackLocked(l);
      // No room, no fallocate (tmpfs of old), or worse: appends simply
      // allocate as they extend the file; a real I/O problem shows up on
      // the data writes, which are what durability depends on.
      prealloc_disabled_ = true;
      return;
    }
    if (to > prealloc_end_) prealloc_end_ = to;
    Count(&Stats::prealloc_calls, 1);
    Count(&Stats::prealloc_bytes, to - from);
  }

  void ReachedDurableLocked(uint64_t end, uint64_t start_us) {
    durable_ = end;
    Count(&Stats::durable_points, 1);
    uint64_t lat = NowMicros() - start_us;
    stats_.durable_latency_us.Add(lat);
    GlobalStats().durable_latency_us.Add(lat);
    while (!waiters_.empty() && waiters_.begin()->first <= durable_) {
      deliver_.emplace_back(std::move(waiters_.begin()->second), Status::OK());
      waiters_.erase(waiters_.begin());
    }
  }

  // kOnSync: wait for the writes below `offset` to complete, then make them
  // durable with one fdatasync.
  Status SyncTo(uint64_t offset) {
    std::lock_guard<std::mutex> sync_lock(sync_mu_);
    std::unique_lock<std::mutex> l(mu_);
    if (offset > size_) return BeyondEnd(offset);
    if (!error_.ok()) return error_;
    if (durable_ >= offset) return Status::OK();
    if (closed_) return Status::Aborted("file " + path_ + " closed");
    cv_.wait(l, [&] { return written_ >= offset || !error_.ok(); });
    if (!error_.ok()) return error_;
    uint64_t target = written_;
    uint64_t t0 = NowMicros();
    int err = WithFdUnlocked(l, [](int fd) { return -Datasync(fd); });
    int r = err == 0 ? 0 : -1;
    Count(&Stats::fsync_calls, 1);
    if (r != 0) {
      FailLocked(Status::FromErrno(err, "fdatasync of " + path_));
    } else {
      ReachedDurableLocked(target > durable_ ? target : durable_, t0);
    }
    cv_.notify_all();
    Status s = error_;
    DeliverLocked(l);
    return s;
  }

  // The first error wins and stays: every waiter fails with it, and every
  // later Append/Wait returns it. Nothing is retried.
  void FailLocked(const Status& s) {
    if (error_.ok()) {
      error_ = s;
      Count(&Stats::errors, 1);
    }
    FailWaitersLocked(error_);
    cv_.notify_all();
  }

  void FailWaitersLocked(const Status& s) {
    for (auto& [off, cb] : waiters_) deliver_.emplace_back(std::move(cb), s);
    waiters_.clear();
  }

  // Runs queued callbacks outside mu_, in queue order, on one thread at a
  // time per file, so callbacks for smaller offsets always run first even
  // when completions arrive on different threads (the fsync pool).
  void DeliverLocked(std::unique_lock<std::mutex>& l) {
    if (delivering_) return;
    delivering_ = true;
    while (!deliver_.empty()) {
      std::vector<std::pair<DurableCallback, Status>> batch;
      batch.swap(deliver_);
      l.unlock();
      for (auto& [cb, s] : batch) cb(s);
      l.lock();
    }
    delivering_ = false;
    cv_.notify_all();
  }

  const std::string path_;
  const DurableFileOptions opts_;
  const Mode mode_;
  const std::string reason_;
  const std::unique_ptr<Backend> backend_;
  int fd_;
  const uint64_t align_;  // direct: I/O alignment; else 1
  const uint64_t max_write_;
  const bool copy_on_append_;  // process_crash_safe in a buffered mode
  const bool defer_;           // defer_bytes on a kEveryWrite file
  const bool in_place_;        // sync_in_place, and the backend can
  const bool keep_bytes_;      // some write may need the bytes (see buf_)
  std::mutex append_mu_;       // in place: one Append at a time

  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::mutex sync_mu_;  // serialises kOnSync fdatasyncs
  uint64_t size_ = 0;
  uint64_t ready_ = 0;
  uint64_t submitted_ = 0;
  uint64_t written_ = 0;
  uint64_t durable_ = 0;
  uint64_t wanted_ = 0;
  std::vector<uint8_t> buf_;
  uint64_t buf_base_ = 0;
  Status error_;
  bool closing_ = false;
  bool closed_ = false;
  Status close_status_;

  // The one data write in flight.
  bool inflight_ = false;
  std::unique_ptr<uint8_t, AlignedFree> io_buf_;
  uint64_t io_cap_ = 0;
  uint64_t cur_off_ = 0;
  uint64_t cur_len_ = 0;
  uint8_t* cur_ptr_ = nullptr;
  uint64_t cur_end_ = 0;       // logical end it makes durable
  bool cur_extends_ = false;   // it ends past every earlier write (Backend)
  bool cur_in_place_ = false;  // a datasync of the range, no bytes sent
  uint64_t cur_start_us_ = 0;
  int eagain_retries_ = 0;

  // Preallocation state.
  uint64_t prealloc_end_;     // blocks below it are reserved (KEEP_SIZE)
  uint64_t reserve_end_ = 0;  // end of every fallocate asked for, for Close
  bool prealloc_running_ = false;
  bool prealloc_disabled_ = false;
  uint64_t physical_size_;  // largest end any write of ours reached
  int fd_users_ = 0;        // calls using fd_ with mu_ released

  // first_write_gate: kAsk until the first write is due, kAsking until
  // its `go`, then kOpen (kOpen from the start without a gate).
  enum class Gate { kAsk, kAsking, kOpen };
  Gate gate_;

  std::multimap<uint64_t, DurableCallback> waiters_;
  std::vector<std::pair<DurableCallback, Status>> deliver_;
  bool delivering_ = false;
  int handlers_ = 0;  // completion handlers running on this file

  Stats stats_;
  DataIo data_io_;
};

}  // namespace

Status DurableFile::Open(const std::string& path,
                         const DurableFileOptions& opts,
                         std::unique_ptr<DurableFile>* out) {
  const bool every = opts.durability == Durability::kEveryWrite;
  if (opts.open_mode == OpenMode::kReuse && !opts.zero_tail_ok) {
    return Status::InvalidArgument("kReuse needs a zero_tail_ok format (" +
                                   path + ")");
  }
  if (opts.first_write_gate && !every) {
    return Status::InvalidArgument(
        "first_write_gate needs kEveryWrite: a kOnSync file starts its "
        "writes at once (" +
        path + ")");
  }
  if (opts.mode == Mode::kDirect && !(opts.zero_tail_ok && every)) {
    return Status::InvalidArgument(
        "direct mode pads writes to whole blocks, so it needs zero_tail_ok and "
        "kEveryWrite (" +
        path + ")");
  }
  if (opts.mode == Mode::kDirect && opts.process_crash_safe) {
    return Status::InvalidArgument(
        "direct mode cannot keep process_crash_safe: O_DIRECT appends are not "
        "in the "
        "page cache until their durable write completes, so a process crash "
        "loses them "
        "and other readers do not see them; use dsync (" +
        path + ")");
  }
  ProbeResult probe;
  Status s = Probe(ParentDir(path), &probe);
  if (!s.ok()) return s;
  Mode mode;
  std::string why;
  const char* no_direct =
      !(opts.zero_tail_ok && every) ? "the file is not zero_tail_ok"
      : opts.process_crash_safe     ? "appends must reach the page cache"
                                    : nullptr;
  if (opts.mode == Mode::kAuto && probe.best == Mode::kDirect && no_direct) {
    // Direct cannot serve this file; take the best of the others.
    mode = Mode::kFsync;
    for (Mode m : kConcreteModes) {
      if (m != Mode::kDirect && probe.Of(m).supported) {
        mode = m;
        break;
      }
    }
    why = std::string("auto chose ") + ModeName(mode) +
          ": direct is not usable here (" + no_direct + "); " + probe.best_why;
  } else {
    s = ResolveMode(probe, opts.mode, &mode, &why);
    if (!s.ok()) return s;
  }
  std::unique_ptr<Backend> backend = MakeBackend(mode);
  int flags = O_WRONLY | O_CREAT | O_CLOEXEC | backend->open_flags();
  if (opts.open_mode == OpenMode::kTruncate) flags |= O_TRUNC;
  int fd = open(path.c_str(), flags, 0644);
  if (fd < 0) return Status::FromErrno(errno, "open " + path);
  uint64_t existing = 0;
  if (opts.open_mode == OpenMode::kReuse) {
    struct stat st;
    if (fstat(fd, &st) != 0) {
      int err = errno;
      close(fd);
      return Status::FromErrno(err, "fstat " + path);
    }
    existing = static_cast<uint64_t>(st.st_size);
  }
  uint32_t align = mode == Mode::kDirect ? probe.direct_alignment : 1;
  out->reset(new DurableFileImpl(path, opts, mode, why, std::move(backend), fd,
                                 align, existing));
  return Status::OK();
}

}  // namespace wtrocks::wal
