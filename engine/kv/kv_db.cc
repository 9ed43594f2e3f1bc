// Copyright (c) wtrocks authors.
#include "engine/kv/kv_db.h"

#include <sstream>

#include "engine/config.h"
#include "rocksdb/iterator.h"

namespace wtrocks::kv {
namespace {

rocksdb::Status Closed() {
  return rocksdb::Status::Aborted("wtkv: the database is closed");
}

// RocksDB's log reader (7.8.3, and upstream since) never gets past a stale
// record of a recycled WAL in kSkipAnyCorruptedRecords: it reports the
// record as old without consuming it and reads it again, forever. After a
// crash the WAL in use is a recycled one with stale records after its last
// live one, so such an open would hang; and 7.8 recycles WALs in no other
// mode. Point-in-time recovery takes a stale record as the file's end, so
// recover that way first: the recovered data is flushed to L0 and the old
// WALs deleted, and the real open finds no stale record left.
rocksdb::Status RecoverRecycledWalsFirst(const rocksdb::Options& o,
                                         const std::string& path) {
  if (o.recycle_log_file_num == 0 ||
      o.wal_recovery_mode !=
          rocksdb::WALRecoveryMode::kSkipAnyCorruptedRecords) {
    return rocksdb::Status::OK();
  }
  rocksdb::Options r = o;
  r.recycle_log_file_num = 0;
  r.wal_recovery_mode = rocksdb::WALRecoveryMode::kPointInTimeRecovery;
  r.avoid_flush_during_recovery = false;
  rocksdb::DB* raw = nullptr;
  rocksdb::Status s = rocksdb::DB::Open(r, path, &raw);
  if (!s.ok()) return s;
  std::unique_ptr<rocksdb::DB> db(raw);
  return db->Close();
}

}  // namespace

// Holds the gate open for one call; Close waits for every holder to leave.
class KvDb::Gate {
 public:
  explicit Gate(KvDb* db) : db_(db), entered_(db->Enter()) {}
  ~Gate() {
    if (entered_) db_->Exit();
  }
  bool entered() const { return entered_; }

 private:
  KvDb* db_;
  bool entered_;
};

rocksdb::Status KvDb::Open(const KvOptions& options,
                           std::unique_ptr<KvDb>* out) {
  out->reset();
  if (options.path.empty()) {
    return rocksdb::Status::InvalidArgument("wtkv: no database path given");
  }
  rocksdb::Status s = ValidateDbOptions(options.db_options);
  if (!s.ok()) return s;
  engine::EngineConfig config;
  s = engine::ParseUri(FileSystemUri(options), &config);
  if (!s.ok()) return s;
  config.wal_completion_fault = options.wal_completion_fault;

  std::unique_ptr<KvDb> kv(new KvDb());
  kv->options_ = options;
  kv->queue_ = std::make_unique<CommitQueue>(
      options.callbacks_on_completion ? CommitQueue::Delivery::kOnCompletion
                                      : CommitQueue::Delivery::kOwnThread);
  s = engine::WtrocksFileSystem::Create(std::move(config), &kv->fs_);
  if (!s.ok()) return s;
  kv->wtrocks_ = engine::WtrocksFileSystem::Find(kv->fs_.get());
  kv->env_ = rocksdb::NewCompositeEnv(kv->fs_);
  rocksdb::Options o = options.db_options;
  o.env = kv->env_.get();
  s = RecoverRecycledWalsFirst(o, options.path);
  if (!s.ok()) return s;
  rocksdb::DB* raw = nullptr;
  s = rocksdb::DB::Open(o, options.path, &raw);
  if (!s.ok()) return s;
  kv->db_.reset(raw);
  // Every async commit is judged by the WAL files wtrocks tracks; if the
  // DB's WAL did not go through wal/, a barrier would be empty and would
  // "complete" at once. Refuse that configuration here, loudly.
  if (kv->wtrocks_->CaptureWalBarrier().points.empty()) {
    return rocksdb::Status::NotSupported(
        "wtkv: the database's WAL is not written through wtrocks durable "
        "files (no open WAL file is tracked), so async commits cannot be "
        "acknowledged safely");  // ~KvDb closes the DB
  }
  *out = std::move(kv);
  return rocksdb::Status::OK();
}

KvDb::~KvDb() { Close().PermitUncheckedError(); }

bool KvDb::Enter() {
  std::lock_guard<std::mutex> lock(gate_mu_);
  if (closed_) return false;
  active_++;
  return true;
}

void KvDb::Exit() {
  std::lock_guard<std::mutex> lock(gate_mu_);
  if (--active_ == 0 && closed_) gate_cv_.notify_all();
}

rocksdb::Status KvDb::Put(const rocksdb::Slice& key,
                          const rocksdb::Slice& value) {
  rocksdb::WriteBatch b;
  rocksdb::Status s = b.Put(key, value);
  return s.ok() ? Write(&b) : s;
}

rocksdb::Status KvDb::Delete(const rocksdb::Slice& key) {
  rocksdb::WriteBatch b;
  rocksdb::Status s = b.Delete(key);
  return s.ok() ? Write(&b) : s;
}

rocksdb::Status KvDb::Write(rocksdb::WriteBatch* batch) {
  rocksdb::WriteOptions wo;
  wo.sync = options_.sync_writes;
  return Write(wo, batch);
}

rocksdb::Status KvDb::Write(const rocksdb::WriteOptions& wo,
                            rocksdb::WriteBatch* batch) {
  Gate g(this);
  if (!g.entered()) return Closed();
  return db_->Write(wo, batch);
}

rocksdb::Status KvDb::Get(const rocksdb::Slice& key, std::string* value) {
  Gate g(this);
  if (!g.entered()) return Closed();
  return db_->Get(rocksdb::ReadOptions(), key, value);
}

void KvDb::MultiGet(const std::vector<rocksdb::Slice>& keys,
                    std::vector<rocksdb::PinnableSlice>* values,
                    std::vector<rocksdb::Status>* statuses) {
  values->clear();
  values->resize(keys.size());
  Gate g(this);
  statuses->assign(keys.size(), g.entered() ? rocksdb::Status::OK() : Closed());
  if (!g.entered()) return;
  db_->MultiGet(rocksdb::ReadOptions(), db_->DefaultColumnFamily(), keys.size(),
                keys.data(), values->data(), statuses->data());
}

rocksdb::ReadOptions ScanReadOptions() {
  rocksdb::ReadOptions ro;
  ro.total_order_seek = true;
  return ro;
}

rocksdb::Status KvDb::Scan(
    const rocksdb::Slice& prefix,
    const std::function<bool(const rocksdb::Slice&, const rocksdb::Slice&)>&
        fn) {
  Gate g(this);
  if (!g.entered()) return Closed();
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(ScanReadOptions()));
  for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix);
       it->Next()) {
    if (!fn(it->key(), it->value())) break;
  }
  return it->status();
}

void KvDb::WriteAsync(rocksdb::WriteBatch* batch, CommitCallback cb) {
  WriteAsync(rocksdb::WriteOptions(), batch, std::move(cb));
}

void KvDb::WriteAsync(const rocksdb::WriteOptions& wo_in,
                      rocksdb::WriteBatch* batch, CommitCallback cb) {
  if (!cb) cb = [](const rocksdb::Status&) {};  // fire and forget
  Gate g(this);
  if (!g.entered()) {
    cb(Closed());
    return;
  }
  rocksdb::Status s = ValidateAsyncWriteOptions(wo_in);
  if (!s.ok()) {
    queue_->AddFailed(std::move(cb), s);
    return;
  }
  // sync=false: wal/ already submits every WAL append as a durable write;
  // waiting for it here is exactly what this call avoids.
  rocksdb::WriteOptions wo = wo_in;
  wo.sync = false;
  s = db_->Write(wo, batch);
  if (!s.ok()) {
    queue_->AddFailed(std::move(cb), s);
    return;
  }
  // DB::Write has returned, so the batch's record has been appended to a
  // WAL file: the barrier captured now covers it (design-kv.md).
  engine::WalBarrier barrier;
  uint64_t ticket;
  {
    std::lock_guard<std::mutex> lock(capture_mu_);
    barrier = wtrocks_->CaptureWalBarrier();
    ticket = queue_->Add(std::move(cb));
  }
  if (barrier.points.empty() && barrier.error.ok()) {
    // Cannot happen while RocksDB keeps a WAL open (checked at Open); an
    // empty barrier would otherwise acknowledge an untracked record.
    queue_->Complete(ticket, rocksdb::Status::Corruption(
                                 "wtkv: no WAL file was open after the "
                                 "write; refusing to acknowledge it"));
    return;
  }
  CommitQueue* q = queue_.get();
  wtrocks_->WhenDurable(barrier, [q, ticket](const rocksdb::IOStatus& st) {
    q->Complete(ticket, st);
  });
}

std::future<rocksdb::Status> KvDb::WriteAsync(rocksdb::WriteBatch* batch) {
  auto p = std::make_shared<std::promise<rocksdb::Status>>();
  std::future<rocksdb::Status> f = p->get_future();
  WriteAsync(batch, [p](const rocksdb::Status& s) { p->set_value(s); });
  return f;
}

void KvDb::PutAsync(const rocksdb::Slice& key, const rocksdb::Slice& value,
                    CommitCallback cb) {
  if (!cb) cb = [](const rocksdb::Status&) {};
  rocksdb::WriteBatch b;
  rocksdb::Status s = b.Put(key, value);
  if (!s.ok()) {
    Gate g(this);
    if (!g.entered()) {
      cb(Closed());
    } else {
      queue_->AddFailed(std::move(cb), s);
    }
    return;
  }
  WriteAsync(&b, std::move(cb));
}

rocksdb::Status KvDb::WaitForCommits() { return queue_->WaitIdle(); }

rocksdb::Status KvDb::Close() {
  if (queue_->OnDeliveryThread()) {
    return rocksdb::Status::InvalidArgument(
        "wtkv: Close called from a commit callback (it would wait for "
        "itself)");
  }
  std::lock_guard<std::mutex> once(close_mu_);
  if (close_done_) return close_status_;
  {
    std::unique_lock<std::mutex> lock(gate_mu_);
    closed_ = true;
    gate_cv_.wait(lock, [&] { return active_ == 0; });
  }
  // Every WriteAsync that got in has captured its barrier by now; each
  // barrier completes as wal/ finishes its writes (or fails them), so this
  // delivers every commit before RocksDB closes the WAL.
  rocksdb::Status s = queue_->Stop();
  if (db_) {
    rocksdb::Status c = db_->Close();
    if (s.ok()) s = c;
    db_.reset();
  }
  close_status_ = s;
  close_done_ = true;
  return s;
}

std::string KvDb::StatsText() const {
  std::ostringstream o;
  CommitQueueStats q = queue_->stats();
  o << "async_commits=" << q.added << "\n"
    << "async_acked=" << q.delivered_ok << "\n"
    << "async_failed=" << q.delivered_failed << "\n"
    << "async_in_flight=" << q.in_flight << "\n";
  if (db_) {
    for (const char* prop :
         {"rocksdb.estimate-num-keys", "rocksdb.total-sst-files-size",
          "rocksdb.cur-size-all-mem-tables", "rocksdb.num-live-versions"}) {
      uint64_t v = 0;
      if (db_->GetIntProperty(prop, &v)) {
        o << (prop + sizeof("rocksdb.") - 1) << "=" << v << "\n";
      }
    }
  }
  o << wtrocks_->StatsLine() << "\n";
  return o.str();
}

}  // namespace wtrocks::kv
