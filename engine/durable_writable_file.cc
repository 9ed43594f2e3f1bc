// Copyright (c) wtrocks authors.
#include "engine/durable_writable_file.h"

#include "engine/status_map.h"

namespace wtrocks::engine {

using rocksdb::IODebugContext;
using rocksdb::IOOptions;
using rocksdb::IOStatus;

DurableWritableFile::DurableWritableFile(std::shared_ptr<wal::DurableFile> file,
                                         FileKind kind,
                                         std::shared_ptr<EngineState> state,
                                         uint64_t id,
                                         const rocksdb::FileOptions& options)
    : rocksdb::FSWritableFile(options),
      file_(std::move(file)),
      kind_(kind),
      state_(std::move(state)),
      id_(id) {
  state_->Register(id_, kind_, file_);
}

DurableWritableFile::~DurableWritableFile() {
  if (!closed_) {
    // RocksDB closes explicitly on every path it cares about; an implicit
    // close has nobody to report to, so it only keeps the books straight.
    Close(IOOptions(), nullptr).PermitUncheckedError();
  }
}

std::string DurableWritableFile::Context(const char* op) const {
  std::string c = std::string(op) + " " + file_->path();
  // RocksDB's DB::Resume flushes the failed WAL again (SwitchMemtable) and
  // would get this error back forever; say what works instead.
  if (kind_ == FileKind::kWal) {
    c += " (wtrocks never retries a failed WAL write, so DB::Resume cannot "
         "clear this error: close and reopen the DB, which recovers every "
         "durable record)";
  }
  return c;
}

// The context string is long (it explains DB::Resume for WALs) and the hot
// calls (Append, Flush, Sync) succeed: build it only for an error.
IOStatus DurableWritableFile::Map(const wal::Status& s, const char* op) const {
  if (s.ok()) return IOStatus::OK();
  return ToIOStatus(s, Context(op).c_str());
}

IOStatus DurableWritableFile::Append(const rocksdb::Slice& data,
                                     const IOOptions& /*options*/,
                                     IODebugContext* /*dbg*/) {
  return Map(file_->Append(data.data(), data.size()), "Append");
}

IOStatus DurableWritableFile::PositionedAppend(const rocksdb::Slice& /*data*/,
                                               uint64_t offset,
                                               const IOOptions& /*options*/,
                                               IODebugContext* /*dbg*/) {
  // RocksDB only uses PositionedAppend on files that report use_direct_io(),
  // which ours never do.
  return IOStatus::NotSupported(
      "wtrocks: PositionedAppend at " + std::to_string(offset) + " on " +
      file_->path() + ": wtrocks files are append-only");
}

IOStatus DurableWritableFile::Truncate(uint64_t size,
                                       const IOOptions& /*options*/,
                                       IODebugContext* /*dbg*/) {
  // Only direct-I/O writers truncate (to drop their padding); a no-op when
  // nothing would change keeps other callers working.
  if (size == file_->size()) return IOStatus::OK();
  return IOStatus::NotSupported("wtrocks: Truncate " + file_->path() + " to " +
                                std::to_string(size) + " (size " +
                                std::to_string(file_->size()) +
                                "): wtrocks files are append-only");
}

IOStatus DurableWritableFile::Close(const IOOptions& /*options*/,
                                    IODebugContext* /*dbg*/) {
  if (closed_) return ToIOStatus(file_->status(), Context("Close").c_str());
  closed_ = true;
  IOStatus s = ToIOStatus(file_->Close(), Context("Close").c_str());
  state_->Unregister(id_, s);
  return s;
}

IOStatus DurableWritableFile::Flush(const IOOptions& /*options*/,
                                    IODebugContext* /*dbg*/) {
  // Still report a failed write: RocksDB checks Flush after every WAL
  // append, and the sooner it sees the error the fewer writes it accepts.
  return Map(file_->status(), "Flush");
}

IOStatus DurableWritableFile::DoSync(const char* op) {
  KindStats& k = kind_ == FileKind::kWal ? state_->stats().wal_files
                                         : state_->stats().sst_files;
  k.sync_calls.fetch_add(1, std::memory_order_relaxed);
  return Map(file_->Sync(), op);
}

IOStatus DurableWritableFile::Sync(const IOOptions& /*options*/,
                                   IODebugContext* /*dbg*/) {
  return DoSync("Sync");
}

IOStatus DurableWritableFile::Fsync(const IOOptions& /*options*/,
                                    IODebugContext* /*dbg*/) {
  return DoSync("Fsync");
}

uint64_t DurableWritableFile::GetFileSize(const IOOptions& /*options*/,
                                          IODebugContext* /*dbg*/) {
  return file_->size();
}

IOStatus DurableWritableFile::InvalidateCache(size_t /*offset*/,
                                              size_t /*length*/) {
  return IOStatus::OK();
}

IOStatus DurableWritableFile::RangeSync(uint64_t /*offset*/,
                                        uint64_t /*nbytes*/,
                                        const IOOptions& /*options*/,
                                        IODebugContext* /*dbg*/) {
  return Map(file_->status(), "RangeSync");
}

IOStatus DurableWritableFile::Allocate(uint64_t offset, uint64_t len,
                                       const IOOptions& /*options*/,
                                       IODebugContext* /*dbg*/) {
  // RocksDB ignores the result (PrepareWrite drops it); a failure here is
  // not the file's error, only a lost optimisation.
  return ToIOStatus(file_->Allocate(offset, len), Context("Allocate").c_str());
}

}  // namespace wtrocks::engine
