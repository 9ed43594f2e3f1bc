// Copyright (c) wtrocks authors.
//
// DurableWritableFile: the FSWritableFile RocksDB sees for WAL and SST files,
// a thin adapter over wal::DurableFile. What each override promises, on
// RocksDB's durability ladder (Flush: survives a process crash; Sync: data
// survives power loss; Fsync: metadata too):
//   Append    hands the bytes to wal/, which starts writing them at once
//             (coalesced with whatever else arrives while a write is in
//             flight). Returns the file's sticky error, never retries.
//             A WAL's first durable write waits until the WALs opened
//             before it in its directory are durable (the cross-file order
//             gate, EngineState::WhenEarlierWalsDurable, run by wal/ as
//             the file's FirstWriteGate); a failure there is this file's
//             sticky error too.
//   Flush     nothing to do: every Append is already in the kernel's page
//             cache (process_crash_safe), so a process crash loses nothing
//             and readers of the file see it. See README "Flush and process
//             crashes". Returns the sticky error.
//   Sync      waits until every appended byte is durable (WaitDurable). With
//             a durable-completion mode (writethrough, direct, dsync) that is
//             a wait for completions, no fsync-family syscall; fsync mode
//             makes one fdatasync. Covers the file size too: RWF_DSYNC and
//             fdatasync both persist the metadata needed to read the data.
//   Fsync     the same as Sync (nothing else in the inode matters to RocksDB).
//   IsSyncThreadSafe  true: WaitDurable may run alongside Append, which is
//             what SyncWAL needs.
//   use_direct_io     false, even for the direct backend: RocksDB skips Sync
//             on direct files and would lose the durability point. wal/
//             handles alignment itself.
//   GetFileSize       wal/'s logical size, an atomic load.
//   PrepareWrite      RocksDB's own (FSWritableFile's): Allocate in
//             preallocation-block steps.
//   Allocate  fallocate(FALLOC_FL_KEEP_SIZE), as PosixWritableFile does: the
//             blocks are reserved and the size stays at the data.
//   RangeSync a no-op: wal/ already has every byte in flight.
//   Close     makes everything durable, trims any zero tail, closes.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>

#include "engine/engine_state.h"
#include "engine/file_kind.h"
#include "rocksdb/file_system.h"
#include "wal/durable_file.h"

namespace wtrocks::engine {

class DurableWritableFile : public rocksdb::FSWritableFile {
 public:
  // `id` from state->NewFileId(), taken before `file` was opened.
  DurableWritableFile(std::shared_ptr<wal::DurableFile> file, FileKind kind,
                      std::shared_ptr<EngineState> state, uint64_t id,
                      const rocksdb::FileOptions& options);
  ~DurableWritableFile() override;

  using rocksdb::FSWritableFile::Append;
  using rocksdb::FSWritableFile::PositionedAppend;
  rocksdb::IOStatus Append(const rocksdb::Slice& data,
                           const rocksdb::IOOptions& options,
                           rocksdb::IODebugContext* dbg) override;
  rocksdb::IOStatus PositionedAppend(const rocksdb::Slice& data,
                                     uint64_t offset,
                                     const rocksdb::IOOptions& options,
                                     rocksdb::IODebugContext* dbg) override;
  rocksdb::IOStatus Truncate(uint64_t size, const rocksdb::IOOptions& options,
                             rocksdb::IODebugContext* dbg) override;
  rocksdb::IOStatus Close(const rocksdb::IOOptions& options,
                          rocksdb::IODebugContext* dbg) override;
  rocksdb::IOStatus Flush(const rocksdb::IOOptions& options,
                          rocksdb::IODebugContext* dbg) override;
  rocksdb::IOStatus Sync(const rocksdb::IOOptions& options,
                         rocksdb::IODebugContext* dbg) override;
  rocksdb::IOStatus Fsync(const rocksdb::IOOptions& options,
                          rocksdb::IODebugContext* dbg) override;
  bool IsSyncThreadSafe() const override { return true; }
  bool use_direct_io() const override { return false; }
  uint64_t GetFileSize(const rocksdb::IOOptions& options,
                       rocksdb::IODebugContext* dbg) override;
  rocksdb::IOStatus InvalidateCache(size_t offset, size_t length) override;
  rocksdb::IOStatus RangeSync(uint64_t offset, uint64_t nbytes,
                              const rocksdb::IOOptions& options,
                              rocksdb::IODebugContext* dbg) override;
  rocksdb::IOStatus Allocate(uint64_t offset, uint64_t len,
                             const rocksdb::IOOptions& options,
                             rocksdb::IODebugContext* dbg) override;

 private:
  rocksdb::IOStatus DoSync(const char* op);
  std::string Context(const char* op) const;
  rocksdb::IOStatus Map(const wal::Status& s, const char* op) const;

  const std::shared_ptr<wal::DurableFile> file_;
  const FileKind kind_;
  const std::shared_ptr<EngineState> state_;
  const uint64_t id_;
  bool closed_ = false;  // RocksDB serialises Close with everything else
};

}  // namespace wtrocks::engine
