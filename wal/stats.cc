// Copyright (c) wtrocks authors.
#include "wal/stats.h"

#include <dirent.h>

#include <bit>
#include <cstdio>
#include <cstring>
#include <sstream>

namespace wtrocks::wal {

namespace {

// Bucket b covers [lo(b), lo(b+1)): values 0..3 map to themselves, then 4
// sub-buckets per power of two.
int BucketOf(uint64_t v) {
  if (v < 4) return static_cast<int>(v);
  int msb = 63 - std::countl_zero(v);  // >= 2
  int sub = static_cast<int>((v >> (msb - 2)) & 3);
  int b = 4 * (msb - 1) + sub;
  return b < LatencyHistogram::kBuckets ? b : LatencyHistogram::kBuckets - 1;
}

uint64_t BucketLow(int b) {
  if (b < 4) return static_cast<uint64_t>(b);
  int msb = b / 4 + 1;
  uint64_t sub = static_cast<uint64_t>(b % 4);
  return (uint64_t{1} << msb) + (sub << (msb - 2));
}

}  // namespace

void LatencyHistogram::Add(uint64_t micros) {
  buckets_[BucketOf(micros)].fetch_add(1, std::memory_order_relaxed);
  count_.fetch_add(1, std::memory_order_relaxed);
  sum_.fetch_add(micros, std::memory_order_relaxed);
}

void LatencyHistogram::Merge(const LatencyHistogram& other) {
  for (int i = 0; i < kBuckets; i++) {
    buckets_[i].fetch_add(other.buckets_[i].load(std::memory_order_relaxed),
                          std::memory_order_relaxed);
  }
  count_.fetch_add(other.count(), std::memory_order_relaxed);
  sum_.fetch_add(other.sum_.load(std::memory_order_relaxed),
                 std::memory_order_relaxed);
}

uint64_t LatencyHistogram::count() const {
  return count_.load(std::memory_order_relaxed);
}

double LatencyHistogram::Mean() const {
  uint64_t n = count();
  return n ? static_cast<double>(sum_.load(std::memory_order_relaxed)) / n : 0;
}

double LatencyHistogram::Percentile(double p) const {
  uint64_t n = count();
  if (n == 0) return 0;
  double rank = p / 100.0 * static_cast<double>(n);
  uint64_t seen = 0;
  for (int b = 0; b < kBuckets; b++) {
    uint64_t c = buckets_[b].load(std::memory_order_relaxed);
    if (c == 0) continue;
    if (static_cast<double>(seen + c) >= rank) {
      // Interpolate inside the bucket.
      double lo = static_cast<double>(BucketLow(b));
      double hi = static_cast<double>(b + 1 < kBuckets ? BucketLow(b + 1)
                                                       : BucketLow(b) * 2);
      double frac =
          c ? (rank - static_cast<double>(seen)) / static_cast<double>(c) : 0;
      if (frac < 0) frac = 0;
      return lo + (hi - lo) * frac;
    }
    seen += c;
  }
  return static_cast<double>(BucketLow(kBuckets - 1));
}

std::string Stats::ToLine() const {
  auto v = [](const std::atomic<uint64_t>& a) {
    return a.load(std::memory_order_relaxed);
  };
  char buf[640];
  snprintf(buf, sizeof(buf),
           "appends=%lu append_bytes=%lu data_writes=%lu waiter_writes=%lu "
           "durable_points=%lu "
           "fsync_calls=%lu fsync_avoided=%lu in_place_syncs=%lu "
           "prealloc_calls=%lu "
           "prealloc_bytes=%lu short_writes=%lu errors=%lu "
           "durable_lat_count=%lu durable_lat_mean_us=%.1f "
           "durable_lat_p50_us=%.1f durable_lat_p99_us=%.1f "
           "durable_lat_p999_us=%.1f",
           v(appends), v(append_bytes), v(data_writes), v(waiter_writes),
           v(durable_points), v(fsync_calls), v(fsync_avoided),
           v(in_place_syncs), v(prealloc_calls), v(prealloc_bytes),
           v(short_writes), v(errors), durable_latency_us.count(),
           durable_latency_us.Mean(), durable_latency_us.Percentile(50),
           durable_latency_us.Percentile(99),
           durable_latency_us.Percentile(99.9));
  return buf;
}

Stats& GlobalStats() {
  // Leaked on purpose: files may still count during static destruction.
  static Stats* stats = new Stats();
  return *stats;
}

int CountIoWorkerThreads() {
  DIR* dir = opendir("/proc/self/task");
  if (dir == nullptr) return -1;
  int n = 0;
  while (struct dirent* e = readdir(dir)) {
    if (e->d_name[0] == '.') continue;
    char path[300];
    snprintf(path, sizeof(path), "/proc/self/task/%s/comm", e->d_name);
    FILE* f = fopen(path, "r");
    if (f == nullptr) continue;
    char comm[32] = {0};
    if (fgets(comm, sizeof(comm), f) && strncmp(comm, "iou-wrk", 7) == 0) n++;
    fclose(f);
  }
  closedir(dir);
  return n;
}

}  // namespace wtrocks::wal
