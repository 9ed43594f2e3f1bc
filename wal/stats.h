// Copyright (c) wtrocks authors.
//
// Counters kept by wal/: per file, and summed over the process. Updated with
// relaxed atomics: they are statistics, not synchronisation.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <string>

namespace wtrocks::wal {

// Log-linear histogram of microseconds: 4 sub-buckets per power of two, so a
// percentile is within ~19% of the true value, enough to tell FUA from flush.
class LatencyHistogram {
 public:
  static constexpr int kBuckets = 4 * 40;
  void Add(uint64_t micros);
  void Merge(const LatencyHistogram& other);
  uint64_t count() const;
  double Percentile(double p) const;  // p in [0, 100]; 0 when empty
  double Mean() const;

 private:
  std::array<std::atomic<uint64_t>, kBuckets> buckets_{};
  std::atomic<uint64_t> count_{0};
  std::atomic<uint64_t> sum_{0};
};

struct Stats {
  std::atomic<uint64_t> appends{0};
  std::atomic<uint64_t> append_bytes{0};
  // Writes submitted to the kernel for data (after coalescing).
  std::atomic<uint64_t> data_writes{0};
  // Of those, written by a waiting thread itself (waiter_writes).
  std::atomic<uint64_t> waiter_writes{0};
  // Durability points reached: durable-completion writes plus fsync calls.
  std::atomic<uint64_t> durable_points{0};
  // fdatasync/fsync syscalls (or io_uring fsync ops) made, by purpose.
  std::atomic<uint64_t> fsync_calls{0};
  // Durability points reached without an fsync-family call.
  std::atomic<uint64_t> fsync_avoided{0};
  // Of fsync_calls, durable writes made in place: a datasync of a range the
  // appends had put in the page cache already (sync_in_place).
  std::atomic<uint64_t> in_place_syncs{0};
  // fallocate(FALLOC_FL_KEEP_SIZE) calls (ours and Allocate's) and bytes.
  std::atomic<uint64_t> prealloc_calls{0};
  std::atomic<uint64_t> prealloc_bytes{0};
  // Writes whose completion returned fewer bytes; the rest was resubmitted.
  std::atomic<uint64_t> short_writes{0};
  std::atomic<uint64_t> errors{0};
  // Submit-to-completion of each durability point.
  LatencyHistogram durable_latency_us;

  // "key=value ..." on one line; db_bench_ext parses it.
  std::string ToLine() const;
};

// The process-wide sum over every DurableFile ever opened.
Stats& GlobalStats();

// Number of this process's io_uring io-wq worker threads ("iou-wrk-*") now.
int CountIoWorkerThreads();

}  // namespace wtrocks::wal
