// Copyright (c) wtrocks authors.
//
// WtrocksFileSystem: the `wtrocks://` RocksDB FileSystem. WAL files (*.log)
// and SST files (*.sst) are written through wal::DurableFile; every other
// file and every directory operation goes to the default FileSystem, so
// renames and directory syncs keep RocksDB's own crash guarantees.
//
// Obtain one with WtrocksFileSystem::Create (or FileSystem::CreateFromString
// with a `wtrocks://` URI once the registrar is linked in, see registrar.cc).
// From an Env or a DB: WtrocksFileSystem::Find(env->GetFileSystem().get()).
//
// Async durable commits (issue 7) build on CaptureWalBarrier + WhenDurable:
//   db->Write(WriteOptions() /* sync=false */, &batch);   // returns at once
//   WalBarrier b = fs->CaptureWalBarrier();
//   fs->WhenDurable(b, [](const rocksdb::IOStatus& s) { /* ack or fail */ });
// engine/README.md ("WAL barriers") explains why this is safe.
#pragma once

#include <memory>
#include <string>

#include "engine/config.h"
#include "engine/engine_state.h"
#include "engine/wal_barrier.h"
#include "rocksdb/file_system.h"
#include "rocksdb/status.h"

namespace wtrocks::engine {

class WtrocksFileSystem : public rocksdb::FileSystemWrapper {
 public:
  static const char* kClassName() { return "WtrocksFileSystem"; }

  // Parses `uri` (see config.h) and wraps FileSystem::Default(). A bad URI
  // is InvalidArgument naming the bad part and listing the valid keys.
  static rocksdb::Status Create(const std::string& uri,
                                std::shared_ptr<rocksdb::FileSystem>* out);
  static rocksdb::Status Create(EngineConfig config,
                                std::shared_ptr<rocksdb::FileSystem>* out);
  // The WtrocksFileSystem `fs` is or wraps, or nullptr.
  static WtrocksFileSystem* Find(rocksdb::FileSystem* fs);

  WtrocksFileSystem(std::shared_ptr<rocksdb::FileSystem> base,
                    EngineConfig config);
  // Writes the statistics line if stats= or WTROCKS_STATS asked for it.
  ~WtrocksFileSystem() override;

  const char* Name() const override { return kClassName(); }
  const EngineConfig& config() const { return state_->config(); }

  rocksdb::IOStatus NewWritableFile(
      const std::string& fname, const rocksdb::FileOptions& options,
      std::unique_ptr<rocksdb::FSWritableFile>* result,
      rocksdb::IODebugContext* dbg) override;
  rocksdb::IOStatus ReopenWritableFile(
      const std::string& fname, const rocksdb::FileOptions& options,
      std::unique_ptr<rocksdb::FSWritableFile>* result,
      rocksdb::IODebugContext* dbg) override;
  // recycle_log_file_num: the old WAL is renamed and overwritten in place
  // (wal::OpenMode::kReuse), so its blocks need no allocation.
  rocksdb::IOStatus ReuseWritableFile(
      const std::string& fname, const std::string& old_fname,
      const rocksdb::FileOptions& options,
      std::unique_ptr<rocksdb::FSWritableFile>* result,
      rocksdb::IODebugContext* dbg) override;
  // An open durable file reports its logical size: with prezero its on-disk
  // size includes the zero-filled tail, which callers such as Checkpoint
  // must not count.
  rocksdb::IOStatus GetFileSize(const std::string& fname,
                                const rocksdb::IOOptions& options,
                                uint64_t* size,
                                rocksdb::IODebugContext* dbg) override;
  // Remembers the info LOG so the modes in use can be written into it.
  rocksdb::IOStatus NewLogger(const std::string& fname,
                              const rocksdb::IOOptions& io_opts,
                              std::shared_ptr<rocksdb::Logger>* result,
                              rocksdb::IODebugContext* dbg) override;

  // --- WAL barriers (for async durable commits) ---

  // Every currently open WAL file with its current size. Call it after the
  // DB::Write whose durability you want to know has returned.
  WalBarrier CaptureWalBarrier() const { return state_->CaptureWalBarrier(); }
  // Calls `cb` once: OK when every byte below each point is durable, or the
  // first error. See WhenDurableCallback for where it runs.
  void WhenDurable(const WalBarrier& barrier, WhenDurableCallback cb) const;
  // Blocking form of WhenDurable.
  rocksdb::IOStatus WaitDurable(const WalBarrier& barrier) const;

  // "wtrocks-stats key=value ..." over every file this FileSystem opened.
  std::string StatsLine() const { return state_->StatsLine(); }

 private:
  rocksdb::IOStatus OpenDurable(
      const std::string& fname, FileKind kind, wal::OpenMode open_mode,
      const rocksdb::FileOptions& options,
      std::unique_ptr<rocksdb::FSWritableFile>* result);
  // Where SSTs go in `dir` and why (sst=auto policy, see README).
  bool SstPassthrough(const std::string& fname, wal::Mode* mode,
                      std::string* why);
  // fsyncs the directory of a WAL file that was just created or renamed.
  rocksdb::IOStatus SyncWalDir(const std::string& fname);
  void DumpStats() const;

  const std::shared_ptr<EngineState> state_;
};

}  // namespace wtrocks::engine
