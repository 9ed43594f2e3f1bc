// Copyright (c) wtrocks authors.
//
// KvOptions: how a wtrocks KV database is opened, and the check that refuses
// RocksDB settings under which an async commit could be acknowledged before
// its WAL record is durable (docs/design-kv.md, "What is rejected").
#pragma once

#include <string>

#include "rocksdb/options.h"
#include "rocksdb/status.h"
#include "wal/durable_file.h"

namespace wtrocks::kv {

struct KvOptions {
  // The RocksDB directory. Created when db_options.create_if_missing is set.
  std::string path;
  // wal/ mode for WAL and SST files: auto, writethrough, dsync, fsync
  // (the engine refuses direct). Ignored when fs_uri is set.
  std::string mode = "auto";
  // A full `wtrocks://...` URI (engine/README.md) for finer control.
  std::string fs_uri;
  // Passed to DB::Open. `env` must stay the default: the KV layer installs
  // an Env whose FileSystem is the wtrocks one it owns.
  rocksdb::Options db_options;
  // The `sync` flag Put/Delete/Write use when no WriteOptions are given.
  // True: those calls return once the write is durable, as RocksDB's sync
  // writes do.
  bool sync_writes = true;
  // Test hook: installed on every WAL file (wal::DurableFileOptions), so a
  // test can fail a WAL write at its completion. Never set in production.
  wal::CompletionFault wal_completion_fault;
};

// InvalidArgument naming the option and why, or OK. Rejected:
//   manual_wal_flush   the record may sit in RocksDB's buffer after Write
//                      returns, invisible to a WAL barrier;
//   unordered_write    write order and WAL order are decoupled;
//   two_write_queues   WAL-only writes bypass the ordering the argument uses;
//   a non-default env  the WAL must go through the FileSystem we track.
rocksdb::Status ValidateDbOptions(const rocksdb::DBOptions& options);

// InvalidArgument when `wo` cannot give an async durable commit (disableWAL:
// there would be no WAL record to wait for).
rocksdb::Status ValidateAsyncWriteOptions(const rocksdb::WriteOptions& wo);

// The `wtrocks://` URI `options` asks for.
std::string FileSystemUri(const KvOptions& options);

}  // namespace wtrocks::kv
