// Copyright (c) wtrocks authors.
#include "engine/wtrocks_fs.h"

#include <fcntl.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <future>

#include "engine/durable_writable_file.h"
#include "engine/info_log.h"
#include "engine/passthrough_file.h"
#include "engine/status_map.h"
#include "wal/path.h"
#include "wal/probe.h"

namespace wtrocks::engine {

using rocksdb::FileOptions;
using rocksdb::FSWritableFile;
using rocksdb::IODebugContext;
using rocksdb::IOOptions;
using rocksdb::IOStatus;

namespace {

const char* ModeOrAuto(wal::Mode m) {
  return m == wal::Mode::kAuto ? "auto" : wal::ModeName(m);
}

}  // namespace

rocksdb::Status WtrocksFileSystem::Create(
    const std::string& uri, std::shared_ptr<rocksdb::FileSystem>* out) {
  EngineConfig config;
  rocksdb::Status s = ParseUri(uri, &config);
  if (!s.ok()) return s;
  return Create(std::move(config), out);
}

rocksdb::Status WtrocksFileSystem::Create(
    EngineConfig config, std::shared_ptr<rocksdb::FileSystem>* out) {
  rocksdb::Status s = ValidateConfig(config);
  if (!s.ok()) return s;
  *out = std::make_shared<WtrocksFileSystem>(rocksdb::FileSystem::Default(),
                                             std::move(config));
  return rocksdb::Status::OK();
}

WtrocksFileSystem* WtrocksFileSystem::Find(rocksdb::FileSystem* fs) {
  return fs == nullptr ? nullptr : fs->CheckedCast<WtrocksFileSystem>();
}

WtrocksFileSystem::WtrocksFileSystem(std::shared_ptr<rocksdb::FileSystem> base,
                                     EngineConfig config)
    : rocksdb::FileSystemWrapper(std::move(base)),
      state_(std::make_shared<EngineState>(std::move(config))) {}

WtrocksFileSystem::~WtrocksFileSystem() { DumpStats(); }

void WtrocksFileSystem::DumpStats() const {
  std::string where = state_->config().stats;
  if (where.empty()) {
    const char* env = getenv("WTROCKS_STATS");
    if (env == nullptr || *env == '\0') return;
    where = env;
  }
  std::string line = StatsLine() + "\n";
  if (where == "stderr") {
    fputs(line.c_str(), stderr);
    return;
  }
  // One write() with O_APPEND so that concurrent processes appending to the
  // same stats file never interleave inside a line.
  int fd = open(where.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (fd < 0 || write(fd, line.data(), line.size()) !=
                    static_cast<ssize_t>(line.size())) {
    fprintf(stderr, "wtrocks: cannot write statistics to %s: %m\n",
            where.c_str());
  }
  if (fd >= 0) close(fd);
}

bool WtrocksFileSystem::SstPassthrough(const std::string& fname,
                                       wal::Mode* mode, std::string* why) {
  const EngineConfig& cfg = state_->config();
  if (cfg.sst_route == SstRoute::kPassthrough) {
    *why = "sst=posix: the default FileSystem writes SST files";
    return true;
  }
  if (cfg.sst_mode != wal::Mode::kAuto) {
    *mode = cfg.sst_mode;
    *why = std::string("sst=") + wal::ModeName(cfg.sst_mode) + " requested";
    return false;
  }
  // sst=auto: write-through streams SST bytes to stable storage as they are
  // written, with a warm page cache. Without it, every stock-kernel mode
  // measured slower than buffered writes plus one fdatasync (README, "SST
  // policy"), so the default FileSystem keeps SST files.
  wal::ProbeResult probe;
  wal::Status ps = wal::Probe(wal::ParentDir(fname), &probe);
  if (ps.ok() && probe.Of(wal::Mode::kWriteThrough).supported) {
    *mode = wal::Mode::kWriteThrough;
    *why = "sst=auto chose writethrough";
    return false;
  }
  *why = "sst=auto chose posix (the default FileSystem): writethrough " +
         std::string(ps.ok() ? probe.Of(wal::Mode::kWriteThrough).reason
                             : ps.ToString());
  return true;
}

IOStatus WtrocksFileSystem::OpenDurable(
    const std::string& fname, FileKind kind, wal::OpenMode open_mode,
    const FileOptions& options, std::unique_ptr<FSWritableFile>* result) {
  const EngineConfig& cfg = state_->config();
  const uint64_t id = state_->NewFileId();
  wal::DurableFileOptions o;
  o.open_mode = open_mode;
  o.max_write_bytes = cfg.max_write_bytes;
  std::string why;
  if (kind == FileKind::kWal) {
    // RocksDB's log reader treats zeros after the last record as the end
    // (what a recycled WAL's old tail needs). SSTs are not zero_tail_ok: an
    // SST with zeros past its end is corrupt.
    o.zero_tail_ok = true;
    o.mode = cfg.wal_mode;
    o.durability = wal::Durability::kEveryWrite;
    o.preallocate_bytes = cfg.prealloc_bytes;
    // RocksDB's Flush contract: a sync=false write that DB::Write returned
    // for survives a crash of this process.
    o.process_crash_safe = true;
    // A sync=false write must not pay a device write: RocksDB's Sync,
    // SyncWAL, our barriers and the order gate all wait, which submits.
    o.defer_bytes = cfg.defer_bytes;
    // RocksDB's group commit has one thread Sync the WAL for its group: let
    // it write instead of waiting for the reaper to.
    o.waiter_writes = cfg.waiter_writes;
    // The bytes are in the page cache already (process_crash_safe).
    o.sync_in_place = cfg.sync_in_place;
    o.completion_fault = cfg.wal_completion_fault;
    // Its first durable write waits for the older WALs (engine_state.h).
    // Weak: the state lists its open files, which must not hold it back.
    o.first_write_gate = [weak = std::weak_ptr<EngineState>(state_), id,
                          fname](wal::DurableCallback go) {
      std::shared_ptr<EngineState> state = weak.lock();
      if (!state) {
        return go(wal::Status::Aborted("first write to " + fname +
                                       ": its FileSystem is gone"));
      }
      state->WhenEarlierWalsDurable(id, fname, std::move(go));
    };
    why = std::string("wal=") + ModeOrAuto(cfg.wal_mode) + " requested";
  } else {
    if (SstPassthrough(fname, &o.mode, &why)) {
      state_->stats().sst_passthrough = true;
      state_->LogOnce(kind, fname, "wtrocks: SST files: " + why);
      std::unique_ptr<FSWritableFile> file;
      IOStatus s = target()->NewWritableFile(fname, options, &file, nullptr);
      if (s.ok()) {
        *result =
            std::make_unique<PassthroughWritableFile>(std::move(file), state_);
      }
      return s;
    }
    o.durability = cfg.sst_sync == SstSync::kEnd ? wal::Durability::kOnSync
                                                 : wal::Durability::kEveryWrite;
  }

  std::unique_ptr<wal::DurableFile> file;
  wal::Status ws = wal::DurableFile::Open(fname, o, &file);
  if (!ws.ok()) {
    return ToIOStatus(ws, std::string("open ") + FileKindName(kind) + " file " +
                              fname + " with mode " + ModeOrAuto(o.mode) +
                              " (uri " + cfg.ToUri() + ")");
  }
  if (kind == FileKind::kWal) {
    IOStatus ds = SyncWalDir(fname);
    if (!ds.ok()) {
      file->Close();
      return ds;
    }
  }
  (kind == FileKind::kWal ? state_->stats().wal_mode
                          : state_->stats().sst_mode) = file->mode();
  state_->LogOnce(
      kind, fname,
      std::string("wtrocks: ") + (kind == FileKind::kWal ? "WAL" : "SST") +
          " files use mode " + wal::ModeName(file->mode()) + " (" + why +
          "): " + file->mode_reason() + "; uri " + cfg.ToUri());
  *result = std::make_unique<DurableWritableFile>(
      std::shared_ptr<wal::DurableFile>(std::move(file)), kind, state_, id,
      options);
  return IOStatus::OK();
}

IOStatus WtrocksFileSystem::SyncWalDir(const std::string& fname) {
  // wal/ makes a WAL's bytes durable, but its name lives in the directory:
  // without this, a power cut could take a new (or recycled and renamed)
  // WAL with acknowledged records in it. RocksDB itself fsyncs the WAL
  // directory only before a sync=true write; sync=false writes followed by
  // a WAL barrier (WhenDurable) or SyncWAL would depend on luck. Once per
  // WAL file, before its first byte can be acknowledged.
  const std::string dir = wal::ParentDir(fname);
  std::unique_ptr<rocksdb::FSDirectory> d;
  IOStatus s = target()->NewDirectory(dir, IOOptions(), &d, nullptr);
  if (s.ok()) {
    s = d->FsyncWithDirOptions(IOOptions(), nullptr,
                               rocksdb::DirFsyncOptions());
    IOStatus cs = d->Close(IOOptions(), nullptr);
    if (s.ok()) s = cs;
  }
  state_->stats().wal_dir_syncs.fetch_add(1, std::memory_order_relaxed);
  if (!s.ok()) {
    return IOStatus::IOError("wtrocks: making the directory entry of WAL " +
                             fname + " durable (fsync " + dir +
                             "): " + s.ToString());
  }
  return s;
}

IOStatus WtrocksFileSystem::NewWritableFile(
    const std::string& fname, const FileOptions& options,
    std::unique_ptr<FSWritableFile>* result, IODebugContext* dbg) {
  FileKind kind = ClassifyFile(fname);
  if (kind != FileKind::kOther) {
    return OpenDurable(fname, kind, wal::OpenMode::kTruncate, options, result);
  }
  std::unique_ptr<FSWritableFile> file;
  IOStatus s = target()->NewWritableFile(fname, options, &file, dbg);
  if (s.ok()) {
    *result =
        std::make_unique<PassthroughWritableFile>(std::move(file), state_);
  }
  return s;
}

IOStatus WtrocksFileSystem::ReopenWritableFile(
    const std::string& fname, const FileOptions& options,
    std::unique_ptr<FSWritableFile>* result, IODebugContext* dbg) {
  // RocksDB reopens only files it appends to across restarts (the info LOG
  // in some configurations), never a WAL or SST: keep them on the default
  // FileSystem.
  std::unique_ptr<FSWritableFile> file;
  IOStatus s = target()->ReopenWritableFile(fname, options, &file, dbg);
  if (s.ok()) {
    *result =
        std::make_unique<PassthroughWritableFile>(std::move(file), state_);
  }
  return s;
}

IOStatus WtrocksFileSystem::ReuseWritableFile(
    const std::string& fname, const std::string& old_fname,
    const FileOptions& options, std::unique_ptr<FSWritableFile>* result,
    IODebugContext* dbg) {
  if (ClassifyFile(fname) != FileKind::kWal) {
    std::unique_ptr<FSWritableFile> file;
    IOStatus s =
        target()->ReuseWritableFile(fname, old_fname, options, &file, dbg);
    if (s.ok()) {
      *result =
          std::make_unique<PassthroughWritableFile>(std::move(file), state_);
    }
    return s;
  }
  IOStatus s = target()->RenameFile(old_fname, fname, options.io_options, dbg);
  if (!s.ok()) return s;
  state_->stats().wal_reused.fetch_add(1, std::memory_order_relaxed);
  return OpenDurable(fname, FileKind::kWal, wal::OpenMode::kReuse, options,
                     result);
}

IOStatus WtrocksFileSystem::GetFileSize(const std::string& fname,
                                        const IOOptions& options,
                                        uint64_t* size, IODebugContext* dbg) {
  if (ClassifyFile(fname) != FileKind::kOther &&
      state_->OpenFileSize(fname, size)) {
    return IOStatus::OK();
  }
  return target()->GetFileSize(fname, options, size, dbg);
}

IOStatus WtrocksFileSystem::NewLogger(const std::string& fname,
                                      const IOOptions& io_opts,
                                      std::shared_ptr<rocksdb::Logger>* result,
                                      IODebugContext* dbg) {
  // Not target()->NewLogger: RocksDB's Logger aborts (assert-enabled
  // builds) once a full disk failed one of its writes (engine/info_log.h).
  rocksdb::FileOptions options;
  options.io_options = io_opts;
  std::unique_ptr<rocksdb::FSWritableFile> file;
  IOStatus s = target()->NewWritableFile(fname, options, &file, dbg);
  if (!s.ok()) return s;
  *result = std::make_shared<InfoLog>(std::move(file));
  state_->AddInfoLog(fname, *result);
  return IOStatus::OK();
}

void WtrocksFileSystem::WhenDurable(const WalBarrier& barrier,
                                    WhenDurableCallback cb) const {
  if (!barrier.error.ok()) {
    cb(barrier.error);
    return;
  }
  // Counts the points still pending plus one for this function, so the
  // callback cannot fire while points are still being registered.
  struct Join {
    std::mutex mu;
    size_t pending;
    bool fired = false;
    WhenDurableCallback cb;
    void Done(const IOStatus& s) {
      bool fire = false;
      {
        std::lock_guard<std::mutex> lock(mu);
        --pending;
        if (!fired && (!s.ok() || pending == 0)) fired = fire = true;
      }
      if (fire) cb(s);
    }
  };
  auto join = std::make_shared<Join>();
  join->pending = barrier.points.size() + 1;
  join->cb = std::move(cb);
  for (const WalBarrier::Point& p : barrier.points) {
    if (p.file->durable_offset() >= p.offset) {
      join->Done(IOStatus::OK());
      continue;
    }
    wal::Status st = p.file->status();
    if (!st.ok()) {
      join->Done(ToIOStatus(st, "WAL barrier on " + p.file->path()));
      continue;
    }
    std::string path = p.file->path();
    p.file->OnDurable(p.offset, [join, path](const wal::Status& s) {
      join->Done(ToIOStatus(s, "WAL barrier on " + path));
    });
  }
  join->Done(IOStatus::OK());
}

IOStatus WtrocksFileSystem::WaitDurable(const WalBarrier& barrier) const {
  auto done = std::make_shared<std::promise<IOStatus>>();
  std::future<IOStatus> result = done->get_future();
  WhenDurable(barrier, [done](const IOStatus& s) { done->set_value(s); });
  return result.get();
}

}  // namespace wtrocks::engine
