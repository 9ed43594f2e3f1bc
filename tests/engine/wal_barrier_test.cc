// Copyright (c) wtrocks authors.
//
// WAL barriers (the API async durable commits build on): a barrier captured
// after an unsynced DB::Write completes once those bytes are durable, also
// across a WAL switch, and reports an error when the WAL write failed.
#include <errno.h>
#include <gtest/gtest.h>

#include <atomic>
#include <future>
#include <map>
#include <mutex>

#include "tests/engine/engine_test_util.h"
#include "tests/lib/scratch_fs.h"

namespace wtrocks::testing {
namespace {

std::unique_ptr<rocksdb::DB> OpenDb(WtrocksEnv& env, const std::string& dir) {
  rocksdb::Options o = SmallOptions(env.env.get());
  o.write_buffer_size = 64 << 20;
  rocksdb::DB* raw = nullptr;
  rocksdb::Status s = rocksdb::DB::Open(o, dir + "/db", &raw);
  EXPECT_TRUE(s.ok()) << s.ToString();
  return std::unique_ptr<rocksdb::DB>(raw);
}

TEST(WalBarrierTest, UnsyncedWriteBecomesDurable) {
  WTROCKS_SCRATCH_DIR_OR_SKIP(dir, ScratchFs::kXfs);
  WtrocksEnv env = MakeEnv(engine::EngineConfig());
  auto db = OpenDb(env, dir);
  ASSERT_TRUE(db);
  ASSERT_TRUE(db->Put(rocksdb::WriteOptions(), "a", "1").ok());
  engine::WalBarrier b = env.wtrocks()->CaptureWalBarrier();
  ASSERT_EQ(b.points.size(), 1u);
  EXPECT_GT(b.points[0].offset, 0u);
  ASSERT_TRUE(env.wtrocks()->WaitDurable(b).ok());
  EXPECT_GE(b.points[0].file->durable_offset(), b.points[0].offset);

  // Across a WAL switch: the barrier spans both files; the old one is
  // durable by its Close, the new one by completion.
  ASSERT_TRUE(db->Put(rocksdb::WriteOptions(), "b", "2").ok());
  ASSERT_TRUE(db->Flush(rocksdb::FlushOptions()).ok());
  ASSERT_TRUE(db->Put(rocksdb::WriteOptions(), "c", "3").ok());
  engine::WalBarrier b2 = env.wtrocks()->CaptureWalBarrier();
  ASSERT_GE(b2.points.size(), 1u);
  std::promise<rocksdb::IOStatus> done;
  env.wtrocks()->WhenDurable(
      b2, [&](const rocksdb::IOStatus& s) { done.set_value(s); });
  EXPECT_TRUE(done.get_future().get().ok());
  for (const auto& p : b2.points) {
    EXPECT_GE(p.file->durable_offset(), p.offset) << p.file->path();
  }
  ASSERT_TRUE(db->Close().ok());
}

TEST(WalBarrierTest, FailedWalWriteFailsTheBarrier) {
  WTROCKS_SCRATCH_DIR_OR_SKIP(dir, ScratchFs::kXfs);
  engine::EngineConfig config;
  config.prealloc_bytes = 0;
  std::atomic<bool> armed{false};
  config.wal_completion_fault = [&](uint64_t, uint64_t, int res) {
    return armed.load() ? -EIO : res;
  };
  WtrocksEnv env = MakeEnv(config);
  auto db = OpenDb(env, dir);
  ASSERT_TRUE(db);
  armed = true;
  // Unsynced: the write itself may return before the completion fails.
  rocksdb::Status w = db->Put(rocksdb::WriteOptions(), "x", "1");
  engine::WalBarrier b = env.wtrocks()->CaptureWalBarrier();
  rocksdb::IOStatus s = env.wtrocks()->WaitDurable(b);
  EXPECT_FALSE(s.ok()) << "write status " << w.ToString();
  EXPECT_NE(s.ToString().find("EIO"), std::string::npos) << s.ToString();
  // Called exactly once, even with nothing left to wait for.
  std::atomic<int> calls{0};
  env.wtrocks()->WhenDurable(b, [&](const rocksdb::IOStatus&) { calls++; });
  EXPECT_EQ(calls.load(), 1);
  db->Close().PermitUncheckedError();
}

TEST(WalBarrierTest, EmptyBarrierCompletesInline) {
  WtrocksEnv env = MakeEnv(engine::EngineConfig());
  std::atomic<int> calls{0};
  env.wtrocks()->WhenDurable(engine::WalBarrier(),
                             [&](const rocksdb::IOStatus& s) {
                               EXPECT_TRUE(s.ok());
                               calls++;
                             });
  EXPECT_EQ(calls.load(), 1);
}

// Counts directory fsyncs per directory name on the way to the default
// FileSystem: the only way to see a directory sync without a power cut.
class DirSyncSpy : public rocksdb::FileSystemWrapper {
 public:
  DirSyncSpy() : rocksdb::FileSystemWrapper(rocksdb::FileSystem::Default()) {}
  const char* Name() const override { return "DirSyncSpy"; }
  rocksdb::IOStatus NewDirectory(const std::string& name,
                                 const rocksdb::IOOptions& io,
                                 std::unique_ptr<rocksdb::FSDirectory>* result,
                                 rocksdb::IODebugContext* dbg) override {
    std::unique_ptr<rocksdb::FSDirectory> d;
    rocksdb::IOStatus s = target()->NewDirectory(name, io, &d, dbg);
    if (s.ok()) result->reset(new Dir(std::move(d), this, name));
    return s;
  }
  int syncs(const std::string& dir) {
    std::lock_guard<std::mutex> l(mu_);
    return syncs_[dir];
  }

 private:
  struct Dir : rocksdb::FSDirectoryWrapper {
    Dir(std::unique_ptr<rocksdb::FSDirectory>&& t, DirSyncSpy* s, std::string n)
        : FSDirectoryWrapper(std::move(t)), spy(s), name(std::move(n)) {}
    rocksdb::IOStatus Fsync(const rocksdb::IOOptions& o,
                            rocksdb::IODebugContext* d) override {
      spy->Count(name);
      return FSDirectoryWrapper::Fsync(o, d);
    }
    rocksdb::IOStatus FsyncWithDirOptions(
        const rocksdb::IOOptions& o, rocksdb::IODebugContext* d,
        const rocksdb::DirFsyncOptions& f) override {
      spy->Count(name);
      return FSDirectoryWrapper::FsyncWithDirOptions(o, d, f);
    }
    DirSyncSpy* spy;
    std::string name;
  };
  void Count(const std::string& dir) {
    std::lock_guard<std::mutex> l(mu_);
    syncs_[dir]++;
  }
  std::mutex mu_;
  std::map<std::string, int> syncs_;
};

// A barrier (or SyncWAL) acknowledges WAL bytes; they only survive a power
// cut if the WAL's name does too. The engine makes a new WAL's, and a
// recycled (renamed) WAL's, directory entry durable before the file is
// handed to RocksDB, once per WAL. Failed before (KvDb alone synced the
// directory): "syncs after creating 000007.log: 0".
TEST(WalBarrierTest, NewAndRenamedWalDirectoryEntryIsDurable) {
  WTROCKS_SCRATCH_DIR_OR_SKIP(dir, ScratchFs::kXfs);
  auto spy = std::make_shared<DirSyncSpy>();
  engine::WtrocksFileSystem fs(spy, engine::EngineConfig());
  rocksdb::FileOptions fo;
  std::unique_ptr<rocksdb::FSWritableFile> f;
  ASSERT_TRUE(fs.NewWritableFile(dir + "/000007.log", fo, &f, nullptr).ok());
  EXPECT_EQ(spy->syncs(dir), 1)
      << "syncs after creating 000007.log: " << spy->syncs(dir);
  ASSERT_TRUE(f->Append("abc", rocksdb::IOOptions(), nullptr).ok());
  ASSERT_TRUE(f->Close(rocksdb::IOOptions(), nullptr).ok());
  EXPECT_EQ(spy->syncs(dir), 1) << "one directory sync per WAL, not per write";
  ASSERT_TRUE(fs.ReuseWritableFile(dir + "/000009.log", dir + "/000007.log", fo,
                                   &f, nullptr)
                  .ok());
  EXPECT_EQ(spy->syncs(dir), 2)
      << "the rename of a recycled WAL was not made durable";
  ASSERT_TRUE(f->Close(rocksdb::IOOptions(), nullptr).ok());
  // Other files keep RocksDB's own protocol (it syncs after its renames).
  ASSERT_TRUE(fs.NewWritableFile(dir + "/000010.sst", fo, &f, nullptr).ok());
  ASSERT_TRUE(f->Close(rocksdb::IOOptions(), nullptr).ok());
  EXPECT_EQ(spy->syncs(dir), 2);
  EXPECT_NE(fs.StatsLine().find(" wal_dir_syncs=2 "), std::string::npos)
      << fs.StatsLine();
}

}  // namespace
}  // namespace wtrocks::testing
