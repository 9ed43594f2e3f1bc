// Copyright (c) wtrocks authors.
#include "engine/engine_state.h"

#include <cstdint>

#include "wal/path.h"

namespace wtrocks::engine {
namespace {

using wal::ParentDir;

KindStats* KindOf(EngineStats* s, FileKind kind) {
  return kind == FileKind::kWal ? &s->wal_files : &s->sst_files;
}

const KindStats& KindOf(const EngineStats& s, FileKind kind) {
  return kind == FileKind::kWal ? s.wal_files : s.sst_files;
}

}  // namespace

uint64_t EngineState::NewFileId() {
  std::lock_guard<std::mutex> lock(mu_);
  return next_id_++;
}

void EngineState::Register(uint64_t id, FileKind kind,
                           std::shared_ptr<wal::DurableFile> file) {
  KindOf(&stats_, kind)->files.fetch_add(1, std::memory_order_relaxed);
  std::lock_guard<std::mutex> lock(mu_);
  open_.emplace(id, OpenFile{kind, std::move(file)});
}

void EngineState::Unregister(uint64_t id,
                             const rocksdb::IOStatus& close_status) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = open_.find(id);
  if (it == open_.end()) return;
  AddStats(it->second.file->stats(), &KindOf(&stats_, it->second.kind)->wal);
  if (it->second.kind == FileKind::kWal && !close_status.ok() &&
      wal_close_error_.ok()) {
    wal_close_error_ = close_status;
  }
  open_.erase(it);
}

std::vector<WalBarrier::Point> EngineState::WalPointsLocked(
    uint64_t before_id, const std::string* dir) const {
  std::vector<WalBarrier::Point> points;
  // Ids grow with every Register, so "opened before" is "smaller id".
  for (auto it = open_.begin(); it != open_.end() && it->first < before_id;
       ++it) {
    const OpenFile& f = it->second;
    if (f.kind != FileKind::kWal) continue;
    if (dir != nullptr && ParentDir(f.file->path()) != *dir) continue;
    // size() is everything appended so far: after DB::Write returned it
    // covers that write's record (RocksDB appends it to the current WAL
    // first), and after a WAL switch it is the old WAL's whole content.
    points.push_back({f.file, f.file->size()});
  }
  return points;
}

WalBarrier EngineState::CaptureWalBarrier() const {
  WalBarrier barrier;
  std::lock_guard<std::mutex> lock(mu_);
  barrier.error = wal_close_error_;
  barrier.points = WalPointsLocked(UINT64_MAX, nullptr);
  return barrier;
}

void EngineState::WhenEarlierWalsDurable(uint64_t id, const std::string& path,
                                         wal::DurableCallback go) {
  const std::string dir = ParentDir(path);
  std::vector<WalBarrier::Point> earlier;
  {
    std::lock_guard<std::mutex> lock(mu_);
    earlier = WalPointsLocked(id, &dir);
  }
  std::erase_if(earlier, [](const WalBarrier::Point& p) {
    return p.file->durable_offset() >= p.offset;
  });
  if (earlier.empty()) return go(wal::Status::OK());
  stats_.wal_order_waits.fetch_add(1, std::memory_order_relaxed);
  // The last callback to run calls go, with the first error if any. An
  // OnDurable callback gets OK exactly when its bytes are durable (a Close
  // racing with this makes them durable first), so any error is a loss.
  struct Join {
    std::mutex mu;
    size_t left;              // guarded by mu
    wal::Status first_error;  // guarded by mu
    wal::DurableCallback go;
  };
  auto join = std::make_shared<Join>();
  join->left = earlier.size();
  join->go = std::move(go);
  for (const WalBarrier::Point& p : earlier) {
    p.file->OnDurable(p.offset, [join, path,
                                 older = p.file->path()](const wal::Status& s) {
      wal::Status result;
      {
        std::lock_guard<std::mutex> lock(join->mu);
        if (!s.ok() && join->first_error.ok()) {
          join->first_error = s.WithContext(
              "first write to " + path + " waits for the earlier WAL " + older);
        }
        if (--join->left != 0) return;
        result = join->first_error;
      }
      join->go(result);
    });
  }
}

bool EngineState::OpenFileSize(const std::string& path, uint64_t* size) const {
  std::lock_guard<std::mutex> lock(mu_);
  for (const auto& [id, f] : open_) {
    if (f.file->path() == path) {
      *size = f.file->size();
      return true;
    }
  }
  return false;
}

void EngineState::AddInfoLog(const std::string& path,
                             std::shared_ptr<rocksdb::Logger> l) {
  std::lock_guard<std::mutex> lock(mu_);
  // Drop loggers RocksDB has released, so a long-lived FileSystem that opens
  // many DBs does not accumulate them.
  std::erase_if(info_logs_,
                [](const InfoLog& i) { return i.logger.expired(); });
  info_logs_.push_back(InfoLog{ParentDir(path), l, {}});
}

void EngineState::LogOnce(FileKind kind, const std::string& file_path,
                          const std::string& line) {
  std::shared_ptr<rocksdb::Logger> logger;
  {
    std::lock_guard<std::mutex> lock(mu_);
    InfoLog* target = nullptr;
    std::string dir = ParentDir(file_path);
    for (auto it = info_logs_.rbegin(); it != info_logs_.rend(); ++it) {
      if (it->logger.expired()) continue;
      if (it->dir == dir) {
        target = &*it;
        break;
      }
      if (target == nullptr) target = &*it;  // newest live one as fallback
    }
    if (target == nullptr || !target->logged.insert(kind).second) return;
    logger = target->logger.lock();
  }
  if (logger) {
    rocksdb::Log(rocksdb::InfoLogLevel::INFO_LEVEL, logger, "%s", line.c_str());
  }
}

std::string EngineState::StatsLine() const {
  EngineStats sum;
  std::lock_guard<std::mutex> lock(mu_);
  for (FileKind kind : {FileKind::kWal, FileKind::kSst}) {
    const KindStats& from = KindOf(stats_, kind);
    KindStats* to = KindOf(&sum, kind);
    AddStats(from.wal, &to->wal);
    to->files = from.files.load();
    to->sync_calls = from.sync_calls.load();
  }
  for (const auto& [id, f] : open_) {
    AddStats(f.file->stats(), &KindOf(&sum, f.kind)->wal);
  }
  sum.passthrough_files = stats_.passthrough_files.load();
  sum.wal_reused = stats_.wal_reused.load();
  sum.wal_order_waits = stats_.wal_order_waits.load();
  sum.wal_dir_syncs = stats_.wal_dir_syncs.load();
  sum.passthrough_sync_calls = stats_.passthrough_sync_calls.load();
  sum.wal_mode = stats_.wal_mode.load();
  sum.sst_mode = stats_.sst_mode.load();
  sum.sst_passthrough = stats_.sst_passthrough.load();
  return sum.ToLine();
}

}  // namespace wtrocks::engine
