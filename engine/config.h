// Copyright (c) wtrocks authors.
//
// EngineConfig: what a `wtrocks://` URI asks for, and the parser that turns
// the URI into it. The grammar is documented in engine/README.md; the parser
// is the only place that knows it.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "rocksdb/status.h"
#include "wal/durable_file.h"
#include "wal/mode.h"

namespace wtrocks::engine {

// How SST files are written. kPassthrough leaves them to the default
// FileSystem (buffered write + fdatasync at Sync, as stock RocksDB does).
enum class SstRoute { kDurable, kPassthrough };

// When an SST's bytes become durable when it goes through wal/.
enum class SstSync {
  kEnd,    // one durability point at Sync (wal::Durability::kOnSync)
  kChunk,  // every data write is a durability point (kEveryWrite)
};

struct EngineConfig {
  wal::Mode wal_mode = wal::Mode::kAuto;
  SstRoute sst_route = SstRoute::kDurable;
  // Only meaningful with SstRoute::kDurable. kAuto means: writethrough where
  // the probe accepts it, otherwise the SST auto policy (see ResolveSstMode).
  wal::Mode sst_mode = wal::Mode::kAuto;
  SstSync sst_sync = SstSync::kEnd;
  // Reserved past a WAL's end with fallocate(KEEP_SIZE), on top of what
  // RocksDB asks for through Allocate (see wal::DurableFileOptions).
  uint64_t prealloc_bytes = 1u << 20;
  uint64_t max_write_bytes = 4u << 20;
  // WAL appends start no durable write until something waits for them
  // (Sync, SyncWAL, a WAL barrier, the WAL order gate, Close) or this many
  // bytes are waiting (wal::DurableFileOptions::defer_bytes). 0: every
  // append starts one at once, as before 2026-11-30. 8 MiB, not the 1 MiB
  // of 2026-11-30: each mid-WAL durable write rewrites bytes the appender
  // is still writing next to (the inode lock, and under write-through the
  // folio under I/O), and at 1 MiB that cost sync=false writes 17-30% in
  // the VM (docs/results-bench.md, "a larger defer").
  uint64_t defer_bytes = 8u << 20;
  // A WAL Sync that finds no write in flight writes on its own thread
  // (wal::DurableFileOptions::waiter_writes). false: the reaper writes and
  // the Sync waits for its hand-back, as before 2026-11-30.
  bool waiter_writes = true;
  // A WAL's durable write of bytes its appends already put in the page
  // cache is a datasync of their range instead of a second copy with
  // RWF_DSYNC, where the mode has such writes (dsync, write-through's
  // appends to a fresh WAL, fsync): wal::DurableFileOptions::sync_in_place.
  bool sync_in_place = true;
  // "" (no dump unless WTROCKS_STATS asks), "stderr", or a file path the
  // stats line is appended to.
  std::string stats;

  // Test hook, never set from a URI: installed on every WAL file opened
  // after it is set (see DurableFileOptions::completion_fault).
  wal::CompletionFault wal_completion_fault;

  // The canonical URI for this config, e.g. "wtrocks://wal=auto,sst=auto,...".
  std::string ToUri() const;
};

// The keys ParseUri accepts, comma separated, for error messages and docs.
const char* ValidUriKeys();

// Parses "wtrocks://" or "wtrocks://key=value[,key=value...]". On any error
// returns InvalidArgument naming the offending part of `uri` and listing
// what would have been valid; `*out` is then unspecified.
rocksdb::Status ParseUri(std::string_view uri, EngineConfig* out);

// InvalidArgument when `config` asks for something the engine does not offer
// (the direct mode for WAL or SST files); ParseUri and
// WtrocksFileSystem::Create both check it.
rocksdb::Status ValidateConfig(const EngineConfig& config);

// "4096", "64K", "1M", "2G" (binary multiples). Exposed for tests.
bool ParseSize(std::string_view text, uint64_t* out);

}  // namespace wtrocks::engine
