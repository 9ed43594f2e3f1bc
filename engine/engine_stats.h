// Copyright (c) wtrocks authors.
//
// Engine statistics: wal/'s per-file counters summed per file kind, plus what
// only the engine sees (RocksDB's Sync calls, syncs of pass-through files).
// Rendered as one line that db_bench_ext parses; the keys are listed in
// engine/README.md and must stay stable.
#pragma once

#include <atomic>
#include <cstdint>
#include <string>

#include "wal/mode.h"
#include "wal/stats.h"

namespace wtrocks::engine {

// Adds every counter and the histogram of `from` into `to`.
void AddStats(const wal::Stats& from, wal::Stats* to);

struct KindStats {
  wal::Stats wal;  // summed over this kind's files
  std::atomic<uint64_t> files{0};
  // Sync/Fsync calls RocksDB made on this kind's files.
  std::atomic<uint64_t> sync_calls{0};
};

struct EngineStats {
  KindStats wal_files;
  KindStats sst_files;
  // Files the default FileSystem writes for us (MANIFEST, OPTIONS, and SSTs
  // with sst=posix): each Sync/Fsync there is one fsync-family syscall.
  std::atomic<uint64_t> passthrough_files{0};
  // WAL files RocksDB recycled (recycle_log_file_num): overwritten in place.
  std::atomic<uint64_t> wal_reused{0};
  // First durable writes of a new WAL that had to wait for an older WAL in
  // the same directory to become durable (the cross-file order gate, see
  // EngineState::WhenEarlierWalsDurable).
  std::atomic<uint64_t> wal_order_waits{0};
  // Directory fsyncs that made a new or renamed WAL's name durable (one per
  // WAL file, WtrocksFileSystem::SyncWalDir).
  std::atomic<uint64_t> wal_dir_syncs{0};
  std::atomic<uint64_t> passthrough_sync_calls{0};
  // Modes last chosen, for the line; kAuto until a file of that kind opened.
  std::atomic<wal::Mode> wal_mode{wal::Mode::kAuto};
  std::atomic<wal::Mode> sst_mode{wal::Mode::kAuto};
  std::atomic<bool> sst_passthrough{false};

  // "wtrocks-stats key=value ..." (no newline).
  std::string ToLine() const;
};

}  // namespace wtrocks::engine
