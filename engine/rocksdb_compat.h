// Copyright (c) wtrocks authors.
//
// The one place that knows which RocksDB release wtrocks is built against.
// Supported: 7.8 (Debian 12) and 9.10 (Debian 13). The public FileSystem API
// the engine, engine/kv and the tests use is source-compatible between the
// two (every file compiles unchanged); what differs is RocksDB's behaviour,
// and each difference that matters to us is a constant here, so code and
// tests ask this header instead of testing ROCKSDB_MAJOR themselves.
#pragma once

#include <iterator>

#include "rocksdb/options.h"
#include "rocksdb/version.h"

#if ROCKSDB_MAJOR < 7 || (ROCKSDB_MAJOR == 7 && ROCKSDB_MINOR < 8)
#error "wtrocks needs RocksDB 7.8 or newer (tested: 7.8.3, 9.10.0)"
#endif

namespace wtrocks::engine::compat {

constexpr int kRocksdbMajor = ROCKSDB_MAJOR;
constexpr int kRocksdbMinor = ROCKSDB_MINOR;

// RocksDB 9.1 made recycle_log_file_num work with kPointInTimeRecovery, the
// default recovery mode; 7.8 silently sets it to 0 in every mode but
// kSkipAnyCorruptedRecords. A recycled WAL is overwritten in place
// (wal::OpenMode::kReuse), so each durable write is a pure overwrite with
// no allocation, which is what prezero otherwise buys.
constexpr bool kRecyclesWalWithPointInTime = ROCKSDB_MAJOR > 9 ||
                                             (ROCKSDB_MAJOR == 9 &&
                                              ROCKSDB_MINOR >= 1);

// Whether RocksDB keeps `recycle_log_file_num` in `mode` (both releases drop
// it for kTolerateCorruptedTailRecords and kAbsoluteConsistency, and when a
// WAL TTL or size limit is set).
constexpr bool RecyclesWal(rocksdb::WALRecoveryMode mode) {
  return mode == rocksdb::WALRecoveryMode::kSkipAnyCorruptedRecords ||
         (kRecyclesWalWithPointInTime &&
          mode == rocksdb::WALRecoveryMode::kPointInTimeRecovery);
}

// Turns on RocksDB's WAL recycling (`recycle_log_file_num = n`) and, where
// this release would silently drop it in `o->wal_recovery_mode`, switches to
// the recovery mode that keeps it: kPointInTimeRecovery on 9.1+,
// kSkipAnyCorruptedRecords on 7.8. Returns the recovery mode now set. The
// one helper for everything here that asks for overwrites instead of
// appends (wtkv --recycle-wals, fillasync, the durability workload).
inline rocksdb::WALRecoveryMode EnableWalRecycling(rocksdb::DBOptions* o,
                                                   size_t n) {
  o->recycle_log_file_num = n;
  if (n > 0 && !RecyclesWal(o->wal_recovery_mode)) {
    o->wal_recovery_mode =
        kRecyclesWalWithPointInTime
            ? rocksdb::WALRecoveryMode::kPointInTimeRecovery
            : rocksdb::WALRecoveryMode::kSkipAnyCorruptedRecords;
  }
  return o->wal_recovery_mode;
}

// wal_recovery_mode names in enum order (snake case, as wtkv's INFO and the
// durability workload's flags spell them).
inline constexpr const char* kWalRecoveryModeNames[] = {
    "tolerate_corrupted_tail_records", "absolute_consistency",
    "point_in_time_recovery", "skip_any_corrupted_records"};

inline const char* WalRecoveryModeName(rocksdb::WALRecoveryMode m) {
  auto i = static_cast<size_t>(m);
  return i < std::size(kWalRecoveryModeNames) ? kWalRecoveryModeNames[i]
                                              : "unknown";
}

// Neither release tells a FileSystem what a new writable file is for:
// FileOptions has no file type in 9.10 either, and the IOOptions.type
// (IOType::kWAL, kManifest, ...) RocksDB passes is kUnknown on every write
// path in both. 9.x adds IOOptions.io_activity (kFlush, kCompaction) on SST
// writes, which says why a write happens, not which file it is. So the
// engine classifies by file name on both (file_kind.h).
constexpr bool kFileOptionsCarryFileType = false;

}  // namespace wtrocks::engine::compat
