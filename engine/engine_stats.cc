// Copyright (c) wtrocks authors.
#include "engine/engine_stats.h"

#include <cinttypes>
#include <cstdio>

namespace wtrocks::engine {
namespace {

void Add(const std::atomic<uint64_t>& from, std::atomic<uint64_t>* to) {
  to->fetch_add(from.load(std::memory_order_relaxed),
                std::memory_order_relaxed);
}

void Put(std::string* line, const std::string& key, uint64_t v) {
  *line += " " + key + "=" + std::to_string(v);
}

void PutF(std::string* line, const std::string& key, double v) {
  char buf[64];
  snprintf(buf, sizeof(buf), " %s=%.1f", key.c_str(), v);
  *line += buf;
}

void PutKind(std::string* line, const char* prefix, const KindStats& k) {
  std::string p = std::string(prefix) + "_";
  const wal::Stats& s = k.wal;
  Put(line, p + "files", k.files.load());
  Put(line, p + "appends", s.appends.load());
  Put(line, p + "bytes", s.append_bytes.load());
  Put(line, p + "data_writes", s.data_writes.load());
  Put(line, p + "waiter_writes", s.waiter_writes.load());
  Put(line, p + "durable_ios", s.durable_points.load());
  Put(line, p + "sync_calls", k.sync_calls.load());
  Put(line, p + "fsync_calls", s.fsync_calls.load());
  Put(line, p + "fsync_avoided", s.fsync_avoided.load());
  Put(line, p + "in_place_syncs", s.in_place_syncs.load());
  Put(line, p + "prealloc_bytes", s.prealloc_bytes.load());
  Put(line, p + "short_writes", s.short_writes.load());
  Put(line, p + "errors", s.errors.load());
  Put(line, p + "lat_count", s.durable_latency_us.count());
  PutF(line, p + "lat_mean_us", s.durable_latency_us.Mean());
  PutF(line, p + "lat_p50_us", s.durable_latency_us.Percentile(50));
  PutF(line, p + "lat_p99_us", s.durable_latency_us.Percentile(99));
  PutF(line, p + "lat_p999_us", s.durable_latency_us.Percentile(99.9));
  PutF(line, p + "lat_max_us", s.durable_latency_us.Percentile(100));
}

const char* ModeOrNone(wal::Mode m) {
  return m == wal::Mode::kAuto ? "none" : wal::ModeName(m);
}

}  // namespace

void AddStats(const wal::Stats& from, wal::Stats* to) {
  Add(from.appends, &to->appends);
  Add(from.append_bytes, &to->append_bytes);
  Add(from.data_writes, &to->data_writes);
  Add(from.waiter_writes, &to->waiter_writes);
  Add(from.durable_points, &to->durable_points);
  Add(from.fsync_calls, &to->fsync_calls);
  Add(from.fsync_avoided, &to->fsync_avoided);
  Add(from.in_place_syncs, &to->in_place_syncs);
  Add(from.prealloc_calls, &to->prealloc_calls);
  Add(from.prealloc_bytes, &to->prealloc_bytes);
  Add(from.short_writes, &to->short_writes);
  Add(from.errors, &to->errors);
  to->durable_latency_us.Merge(from.durable_latency_us);
}

std::string EngineStats::ToLine() const {
  std::string line = "wtrocks-stats";
  line += " wal_mode=";
  line += ModeOrNone(wal_mode.load());
  line += " sst_mode=";
  line += sst_passthrough.load() ? "posix" : ModeOrNone(sst_mode.load());
  PutKind(&line, "wal", wal_files);
  Put(&line, "wal_reused", wal_reused.load());
  Put(&line, "wal_order_waits", wal_order_waits.load());
  Put(&line, "wal_dir_syncs", wal_dir_syncs.load());
  PutKind(&line, "sst", sst_files);
  Put(&line, "other_files", passthrough_files.load());
  Put(&line, "other_sync_calls", passthrough_sync_calls.load());
  // Totals over everything the FileSystem wrote: a pass-through Sync and a
  // WAL directory sync are one fsync-family syscall each.
  Put(&line, "fsync_calls",
      wal_files.wal.fsync_calls.load() + sst_files.wal.fsync_calls.load() +
          passthrough_sync_calls.load() + wal_dir_syncs.load());
  Put(&line, "fsync_avoided",
      wal_files.wal.fsync_avoided.load() + sst_files.wal.fsync_avoided.load());
  return line;
}

}  // namespace wtrocks::engine
