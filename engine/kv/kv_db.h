// Copyright (c) wtrocks authors.
//
// KvDb: a RocksDB database written through the wtrocks FileSystem, with
// RocksDB's blocking writes plus asynchronous durable commits.
//
//   std::unique_ptr<KvDb> db;
//   KvOptions o;  o.path = "/mnt/xfs/db";  o.db_options.create_if_missing =
//   true; rocksdb::Status s = KvDb::Open(o, &db); rocksdb::WriteBatch b;
//   b.Put("k", "v"); db->WriteAsync(&b, [](const rocksdb::Status& s) { /*
//   durable, or s says why not */ });
//
// WriteAsync returns as soon as RocksDB has applied the batch (memtable +
// WAL append). Its callback runs once the batch's WAL record is durable, or
// with the error that prevented it; docs/design-kv.md argues why it can never
// run earlier. Callbacks:
//   - are called exactly once each, also when the database is closed with
//     commits in flight (Close delivers every one before it returns);
//   - run in commit order: the order in which the commits' WAL positions
//     were captured inside WriteAsync, which for one calling thread is the
//     order of its calls. An OK for commit N therefore comes after every
//     earlier commit's outcome, and (errors being sticky) means every earlier
//     commit that reached the WAL is durable too;
//   - run on one thread the KvDb owns; they may block and may call
//     WriteAsync/Put/Get, but must not call Close or WaitForCommits
//     (KvOptions::callbacks_on_completion: on the thread that completes
//     them instead, and they may then neither block nor call the KvDb);
//   - run inline, before WriteAsync returns, only when the database is
//     already closed (Status::Aborted), or with callbacks_on_completion;
//   - must not throw (it would end the process on the delivery thread).
// An empty callback is allowed: the commit is then fire-and-forget.
// Errors are sticky: after one commit fails to become durable, every later
// commit is delivered that same error.
//
// All methods are thread-safe.
#pragma once

#include <atomic>
#include <condition_variable>
#include <functional>
#include <future>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "engine/kv/commit_queue.h"
#include "engine/kv/kv_options.h"
#include "engine/wtrocks_fs.h"
#include "rocksdb/db.h"
#include "rocksdb/env.h"
#include "rocksdb/write_batch.h"

namespace wtrocks::kv {

// ReadOptions for an iterator that walks keys in order. Key order must not
// depend on the options a database was opened with: with a prefix
// extractor (wtkv's hash memtable), RocksDB's default Seek only finds keys
// of the sought key's prefix.
rocksdb::ReadOptions ScanReadOptions();

class KvDb {
 public:
  // Fails with InvalidArgument for options async commits cannot honour
  // (ValidateDbOptions) or a bad mode/URI, NotSupported when the mode does
  // not work on the directory's filesystem, or RocksDB's own error.
  static rocksdb::Status Open(const KvOptions& options,
                              std::unique_ptr<KvDb>* out);
  // Close(); call Close() yourself to see its status.
  ~KvDb();
  KvDb(const KvDb&) = delete;
  KvDb& operator=(const KvDb&) = delete;

  // --- Blocking operations, RocksDB semantics. Without WriteOptions, `sync`
  // is KvOptions::sync_writes. After Close: Status::Aborted.
  rocksdb::Status Put(const rocksdb::Slice& key, const rocksdb::Slice& value);
  rocksdb::Status Delete(const rocksdb::Slice& key);
  rocksdb::Status Write(rocksdb::WriteBatch* batch);
  rocksdb::Status Write(const rocksdb::WriteOptions& wo,
                        rocksdb::WriteBatch* batch);
  // NotFound when absent.
  rocksdb::Status Get(const rocksdb::Slice& key, std::string* value);
  // Get of every key in one call (RocksDB's batched MultiGet: one view of
  // the database for all of them, and the per-lookup setup paid once).
  // (*statuses)[i] and (*values)[i] answer keys[i], as Get would.
  void MultiGet(const std::vector<rocksdb::Slice>& keys,
                std::vector<rocksdb::PinnableSlice>* values,
                std::vector<rocksdb::Status>* statuses);
  // Calls `fn` for every key starting with `prefix`, in key order, until it
  // returns false.
  rocksdb::Status Scan(
      const rocksdb::Slice& prefix,
      const std::function<bool(const rocksdb::Slice& key,
                               const rocksdb::Slice& value)>& fn);

  // --- Asynchronous durable commits. The batch is only read during the
  // call; the caller may reuse it as soon as WriteAsync returns. `wo.sync`
  // is ignored (durability is what the callback reports); `wo.disableWAL`
  // is refused with InvalidArgument through the callback.
  void WriteAsync(rocksdb::WriteBatch* batch, CommitCallback cb);
  void WriteAsync(const rocksdb::WriteOptions& wo, rocksdb::WriteBatch* batch,
                  CommitCallback cb);
  // The same, as a future (made ready on the delivery thread).
  std::future<rocksdb::Status> WriteAsync(rocksdb::WriteBatch* batch);
  // One Put as an async commit.
  void PutAsync(const rocksdb::Slice& key, const rocksdb::Slice& value,
                CommitCallback cb);

  // Blocks until every commit whose WriteAsync has returned is delivered.
  rocksdb::Status WaitForCommits();

  // Refuses new work, delivers every commit in flight (each exactly once:
  // OK if its record became durable, else the error), then closes RocksDB,
  // which closes (and so makes durable) the WAL. Idempotent: later calls
  // return the first call's status.
  rocksdb::Status Close();

  // The RocksDB handle, for what this class does not wrap (properties,
  // iterators, column families). Null after Close. Writes made through it
  // directly are ordinary RocksDB writes, not async commits.
  rocksdb::DB* db() const { return db_.get(); }
  engine::WtrocksFileSystem* fs() const { return wtrocks_; }
  CommitQueueStats commit_stats() const { return queue_->stats(); }
  // "key=value" lines: commit counters, RocksDB size properties and the
  // wtrocks statistics line.
  std::string StatsText() const;

 private:
  KvDb() = default;
  bool Enter();
  void Exit();
  class Gate;

  KvOptions options_;
  std::shared_ptr<rocksdb::FileSystem> fs_;
  engine::WtrocksFileSystem* wtrocks_ = nullptr;
  std::unique_ptr<rocksdb::Env> env_;  // outlives db_
  std::unique_ptr<rocksdb::DB> db_;
  std::unique_ptr<CommitQueue> queue_;

  // Capture order is delivery order. (The WAL's directory entry is the
  // engine's: WtrocksFileSystem makes it durable when the WAL is created.)
  std::mutex capture_mu_;

  // The gate: calls in progress, so Close can wait for them.
  std::mutex gate_mu_;
  std::condition_variable gate_cv_;
  uint64_t active_ = 0;  // guarded by gate_mu_
  bool closed_ = false;  // guarded by gate_mu_

  std::mutex close_mu_;  // one Close at a time
  bool close_done_ = false;
  rocksdb::Status close_status_;  // guarded by close_mu_
};

}  // namespace wtrocks::kv
