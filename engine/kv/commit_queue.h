// Copyright (c) wtrocks authors.
//
// CommitQueue: delivers async commit outcomes to their callbacks, one at a
// time, in the order the commits were added (their capture order), on one
// thread the queue owns, or (Delivery::kOnCompletion) on the thread that
// completes the oldest outstanding commit.
//
// Why its own thread: a WAL barrier completes on wal/'s reaper thread, which
// must never block; a user callback may (it may log, write a file, even issue
// more WriteAsync calls). Why kOnCompletion then: for callbacks that only
// hand the outcome on (`wtkv serve` queues a reply and wakes its loop), the
// delivery thread is one more sleep and wakeup per commit: under a SET load
// a third of the server's context switches. Such callbacks must not block
// and must not call back into whatever completes commits.
//
// Why in order: with in-order delivery an acknowledgement of commit N also
// means every earlier commit was acknowledged, or failed and was reported,
// first; the durability oracle of the crash tests relies on that prefix
// property. It costs nothing in practice, because a later barrier covers an
// earlier one (design-kv.md).
//
// Errors are sticky: once a commit that reached the WAL fails to become
// durable, every later such commit is delivered that first error, even if
// its own barrier completed. Commits refused before reaching the WAL
// (AddFailed) get their own error and do not set the latch.
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
  enum class Delivery {
    kOwnThread,     // callbacks may block
    kOnCompletion,  // callbacks run inline in Complete/AddFailed, one at a
                    // time; no thread of the queue's own
  };
  explicit CommitQueue(Delivery delivery = Delivery::kOwnThread);
  // Stop().
  ~CommitQueue();
  CommitQueue(const CommitQueue&) = delete;
  CommitQueue& operator=(const CommitQueue&) = delete;

  // A commit whose WAL record was written; its outcome comes via Complete.
  // Returns the ticket to pass to Complete.
  uint64_t Add(CommitCallback cb);
  // A commit refused before it reached the WAL: delivered with `error`, in
  // order, without latching it (with kOnCompletion, before AddFailed
  // returns when nothing older is outstanding).
  void AddFailed(CommitCallback cb, rocksdb::Status error);
  // The durability outcome of `ticket`. Exactly once per Add. With
  // kOnCompletion it delivers every outcome that became deliverable, unless
  // another thread is delivering already (that thread then takes them).
  void Complete(uint64_t ticket, const rocksdb::Status& s);

  // Blocks until every commit added so far has been delivered. Must not be
  // called from a callback (InvalidArgument then, instead of a deadlock).
  rocksdb::Status WaitIdle();
  // WaitIdle, then ends the delivery thread if any; later Adds are not
  // allowed.
  rocksdb::Status Stop();

  // True inside a callback: on the delivery thread, or (kOnCompletion) on
  // the thread delivering now.
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
  // Delivers the done entries at the front, batch by batch, until there
  // are none, unless a delivery is under way already. Takes `lock` (on
  // mu_) held and releases it while callbacks run.
  void DeliverReady(std::unique_lock<std::mutex>* lock);
  // Delivers `batch` in order; one deliverer at a time (delivering_).
  void Deliver(std::vector<Entry>* batch);

  const Delivery delivery_;
  mutable std::mutex mu_;
  std::condition_variable ready_cv_;  // front entry done, or stopping
  std::condition_variable idle_cv_;   // queue drained
  std::deque<Entry> queue_;           // guarded by mu_
  uint64_t head_ticket_ = 0;          // ticket of queue_.front(); mu_
  bool delivering_ = false;           // a batch is out of queue_; mu_
  std::thread::id deliverer_;         // who delivers it; mu_
  bool stop_ = false;                 // mu_
  CommitQueueStats stats_;            // mu_ (in_flight computed)
  // Only the deliverer touches it.
  rocksdb::Status sticky_;
  std::thread thread_;  // kOwnThread only
};

}  // namespace wtrocks::kv
