// Copyright (c) wtrocks authors.
//
// CommitQueue: delivers async commit outcomes to their callbacks, one at a
// time, in the order the commits were added (their capture order), on one
// thread the queue owns.
//
// Why its own thread: a WAL barrier completes on wal/'s reaper thread, which
// must never block; a user callback may (it may log, write a file, even issue
// more WriteAsync calls). Why in order: with in-order delivery an
// acknowledgement of commit N also means every earlier commit was
// acknowledged, or failed and was reported, first; the durability oracle of
// the crash tests relies on that prefix property. It costs nothing in
// practice, because a later barrier covers an earlier one (design-kv.md).
//
// Errors are sticky: once a commit that reached the WAL fails to become
// durable, every later such commit is
// delivered that first error, even if its own barrier completed. Commits
// refused before reaching the WAL (AddFailed) get their own error and do not
// set the latch.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "rocksdb/status.h"

namespace wtrocks::kv {

using CommitCallback = std::function<void(const rocksdb::Status&)>;

struct CommitQueueStats {
  uint64_t added = 0;
  uint64_t delivered_ok = 0;
  uint64_t delivered_failed = 0;
  uint64_t in_flight = 0;  // added, not yet delivered
};

class CommitQueue {
 public:
  CommitQueue();
  // Stop().
  ~CommitQueue();
  CommitQueue(const CommitQueue&) = delete;
  CommitQueue& operator=(const CommitQueue&) = delete;

  // A commit whose WAL record was written; its outcome comes via Complete.
  // Returns the ticket to pass to Complete.
  uint64_t Add(CommitCallback cb);
  // A commit refused before it reached the WAL: delivered with `error`, in
  // order, without latching it.
  void AddFailed(CommitCallback cb, rocksdb::Status error);
  // The durability outcome of `ticket`. Exactly once per Add.
  void Complete(uint64_t ticket, const rocksdb::Status& s);

  // Blocks until every commit added so far has been delivered. Must not be
  // called from a callback (InvalidArgument then, instead of a deadlock).
  rocksdb::Status WaitIdle();
  // WaitIdle, then ends the delivery thread; later Adds are not allowed.
  rocksdb::Status Stop();

  bool OnDeliveryThread() const;
  CommitQueueStats stats() const;

 private:
  struct Entry {
    CommitCallback cb;
    rocksdb::Status status;
    bool done = false;
    bool reached_wal = false;  // failure latches
  };

  void Run();
  // Delivers `batch` in order; only the delivery thread calls it.
  void Deliver(std::vector<Entry>* batch);

  mutable std::mutex mu_;
  std::condition_variable ready_cv_;  // front entry done, or stopping
  std::condition_variable idle_cv_;   // queue drained
  std::deque<Entry> queue_;           // guarded by mu_
  uint64_t head_ticket_ = 0;          // ticket of queue_.front(); mu_
  bool delivering_ = false;           // a batch is out of queue_; mu_
  bool stop_ = false;                 // mu_
  CommitQueueStats stats_;            // mu_ (in_flight computed)
  // Only the delivery thread touches it.
  rocksdb::Status sticky_;
  std::thread thread_;
};

}  // namespace wtrocks::kv
