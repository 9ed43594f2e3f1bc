// Copyright (c) wtrocks authors.
//
// WalDirSync: makes the directory entry of every WAL file durable before an
// async commit that may depend on it is acknowledged.
//
// Why: wal/ makes a WAL's *bytes* durable, but a file's name lives in its
// directory, and RocksDB fsyncs the WAL directory only on a sync=true write
// (and async commits write with sync=false). A power cut could otherwise
// take a freshly created (or recycled-and-renamed) WAL, acknowledged records
// and all. So: when a barrier holds a WAL file no earlier flagged barrier
// held, its commit is flagged and the directory is fsynced before that commit
// is delivered. docs/design-kv.md argues why one check per capture covers
// also WALs that came and went between two captures.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "engine/wal_barrier.h"
#include "rocksdb/status.h"
#include "wal/durable_file.h"

namespace wtrocks::kv {

class WalDirSync {
 public:
  // The directories to fsync before acknowledging a commit whose barrier is
  // `barrier`; empty when every file in it was already covered. Not
  // thread-safe: call it where barriers are captured, under the same lock,
  // so "earlier" means "captured earlier".
  std::vector<std::string> DirsToSync(const engine::WalBarrier& barrier);

  // fsync(2) of `dir`; IOError naming the directory and errno on failure.
  static rocksdb::Status SyncDir(const std::string& dir);

 private:
  // The files of the last flagged barrier. Held (not just their addresses) so
  // an address cannot be reused by a new file while we remember it.
  std::vector<std::shared_ptr<wal::DurableFile>> covered_;
};

}  // namespace wtrocks::kv
