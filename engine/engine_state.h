// Copyright (c) wtrocks authors.
//
// EngineState: what a WtrocksFileSystem shares with the files it opened.
// Files may outlive the FileSystem object (RocksDB usually closes them first,
// but nothing guarantees it), so they hold this by shared_ptr rather than a
// pointer back to the FileSystem.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "engine/config.h"
#include "engine/engine_stats.h"
#include "engine/file_kind.h"
#include "engine/wal_barrier.h"
#include "rocksdb/env.h"
#include "rocksdb/io_status.h"
#include "wal/durable_file.h"

namespace wtrocks::engine {

class EngineState {
 public:
  explicit EngineState(EngineConfig config) : config_(std::move(config)) {}

  const EngineConfig& config() const { return config_; }
  EngineStats& stats() { return stats_; }

  // A new file's id, taken before the file is opened (a WAL's order gate
  // needs it). Ids grow in that order, so "opened before" is "smaller id".
  uint64_t NewFileId();
  // Tracks an open durable file (for WAL barriers and live statistics).
  void Register(uint64_t id, FileKind kind,
                std::shared_ptr<wal::DurableFile> file);
  // Folds the closed file's counters into the per-kind totals. A WAL whose
  // Close failed poisons every later barrier: its bytes may not be durable
  // and no barrier captured afterwards would otherwise notice.
  void Unregister(uint64_t id, const rocksdb::IOStatus& close_status);

  WalBarrier CaptureWalBarrier() const;

  // The cross-file order gate, WAL `id`'s wal::FirstWriteGate. wal/ makes
  // one file durable in order, but nothing orders two files: after a WAL
  // switch the new WAL's first durable write could complete while the old
  // WAL's tail is still unwritten, and RocksDB, which replays WALs in number
  // order, would recover a newer acknowledged record without older ones: a
  // hole. Calls `go` once every WAL opened earlier in the same directory is
  // durable up to its size now (RocksDB appends nothing to a WAL once it
  // has switched away, and the new WAL's first write comes after that), or
  // with the error that prevented it. Never blocks: it registers OnDurable
  // callbacks, so `go` may run inline or on wal/'s completion thread. Costs
  // nothing when the old tails are durable already, and for sync=false
  // writes nothing until something waits for the new WAL.
  void WhenEarlierWalsDurable(uint64_t id, const std::string& path,
                              wal::DurableCallback go);
  // The logical size of an open durable file at `path`, if there is one.
  bool OpenFileSize(const std::string& path, uint64_t* size) const;

  // The info LOGs RocksDB opened through this FileSystem. The mode line goes
  // to the one whose directory holds the file, else the newest.
  void AddInfoLog(const std::string& path, std::shared_ptr<rocksdb::Logger> l);
  // Logs `line` once per (kind, info LOG).
  void LogOnce(FileKind kind, const std::string& file_path,
               const std::string& line);

  // Closed files plus the files still open, rendered as one line.
  std::string StatsLine() const;

 private:
  struct OpenFile {
    FileKind kind;
    std::shared_ptr<wal::DurableFile> file;
  };
  // (file, size now) for every open WAL registered before `before_id`, and
  // only those in `dir` when it is given. Needs mu_.
  std::vector<WalBarrier::Point> WalPointsLocked(uint64_t before_id,
                                                 const std::string* dir) const;
  struct InfoLog {
    std::string dir;
    std::weak_ptr<rocksdb::Logger> logger;
    std::set<FileKind> logged;
  };

  const EngineConfig config_;
  EngineStats stats_;
  mutable std::mutex mu_;
  uint64_t next_id_ = 1;               // guarded by mu_
  std::map<uint64_t, OpenFile> open_;  // guarded by mu_
  rocksdb::IOStatus wal_close_error_;  // guarded by mu_
  std::vector<InfoLog> info_logs_;     // guarded by mu_
};

}  // namespace wtrocks::engine
