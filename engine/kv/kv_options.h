// Copyright (c) wtrocks authors.
//
// KvOptions: how a wtrocks KV database is opened, and the check that refuses
// RocksDB settings under which an async commit could be acknowledged before
// its WAL record is durable (docs/design-kv.md, "What is rejected").
#pragma once

#include <cstddef>
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
  // Where WriteAsync callbacks run (kv_db.h). False: on a thread the KvDb
  // owns. True: on the thread that learns the outcome, which is wal/'s
  // completion thread, or WriteAsync's caller when the commit was refused
  // or already durable: one thread hand-off less per commit, for callbacks
  // that only pass the outcome on. They must then not block and must not
  // call the KvDb (its writes may wait for that very completion thread).
  bool callbacks_on_completion = false;
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

// Makes the memtable a hash table of small skip lists (RocksDB's
// HashSkipList rep), hashed on a key's first kHashMemtablePrefix bytes, in
// place of one skip list over every key. Why: under a point-lookup load
// (`wtkv serve` with GET/SET) the skip list search was half the server's
// CPU (docs/results-kv.md, Run S6); a hash bucket holds the versions of
// one key. The price: an iterator in key order (Scan, SCAN) makes a sorted
// copy of the whole memtable first, and concurrent memtable inserts are off.
// Iterators must use ScanReadOptions(); durability is unchanged (the WAL is
// the same).
inline constexpr size_t kHashMemtablePrefix = 64;
void UseHashMemtable(rocksdb::Options* options);

// The `wtrocks://` URI `options` asks for.
std::string FileSystemUri(const KvOptions& options);

}  // namespace wtrocks::kv
