// Copyright (c) wtrocks authors.
#include "engine/passthrough_file.h"

namespace wtrocks::engine {

PassthroughWritableFile::PassthroughWritableFile(
    std::unique_ptr<rocksdb::FSWritableFile> target,
    std::shared_ptr<EngineState> state)
    : rocksdb::FSWritableFileOwnerWrapper(std::move(target)),
      state_(std::move(state)) {
  state_->stats().passthrough_files.fetch_add(1, std::memory_order_relaxed);
}

rocksdb::IOStatus PassthroughWritableFile::Sync(
    const rocksdb::IOOptions& options, rocksdb::IODebugContext* dbg) {
  state_->stats().passthrough_sync_calls.fetch_add(1,
                                                   std::memory_order_relaxed);
  return target()->Sync(options, dbg);
}

rocksdb::IOStatus PassthroughWritableFile::Fsync(
    const rocksdb::IOOptions& options, rocksdb::IODebugContext* dbg) {
  state_->stats().passthrough_sync_calls.fetch_add(1,
                                                   std::memory_order_relaxed);
  return target()->Fsync(options, dbg);
}

void PassthroughWritableFile::SetIOPriority(rocksdb::Env::IOPriority pri) {
  target()->SetIOPriority(pri);
}

rocksdb::Env::IOPriority PassthroughWritableFile::GetIOPriority() {
  return target()->GetIOPriority();
}

}  // namespace wtrocks::engine
