// Copyright (c) wtrocks authors.
//
// PassthroughWritableFile: a file the default FileSystem writes for us
// (MANIFEST, CURRENT, OPTIONS, LOG, SSTs with sst=posix), wrapped only to
// count its Sync/Fsync calls, each of which is an fsync-family syscall there.
// Everything else forwards untouched, so RocksDB's crash guarantees for these
// files are exactly the default FileSystem's.
#pragma once

#include <memory>

#include "engine/engine_state.h"
#include "rocksdb/file_system.h"

namespace wtrocks::engine {

class PassthroughWritableFile : public rocksdb::FSWritableFileOwnerWrapper {
 public:
  PassthroughWritableFile(std::unique_ptr<rocksdb::FSWritableFile> target,
                          std::shared_ptr<EngineState> state);

  rocksdb::IOStatus Sync(const rocksdb::IOOptions& options,
                         rocksdb::IODebugContext* dbg) override;
  rocksdb::IOStatus Fsync(const rocksdb::IOOptions& options,
                          rocksdb::IODebugContext* dbg) override;
  // FSWritableFileWrapper in 7.8.3 does not forward these two; without them
  // RocksDB's I/O priority would be silently dropped for wrapped files.
  void SetIOPriority(rocksdb::Env::IOPriority pri) override;
  rocksdb::Env::IOPriority GetIOPriority() override;

 private:
  const std::shared_ptr<EngineState> state_;
};

}  // namespace wtrocks::engine
