// Copyright (c) wtrocks authors.
//
// The cross-file order gate (engine/README.md, "WAL order across files"):
// the first append to a new WAL must not reach wal/ while an older WAL of
// the same directory still has bytes in flight, or a power cut could recover
// the new WAL's record without the old WAL's tail. A CompletionGate holds
// the old WAL's write in flight for as long as the test needs.
#include <errno.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <atomic>
#include <chrono>
#include <future>

#include "tests/engine/engine_test_util.h"
#include "tests/lib/completion_gate.h"
#include "tests/lib/scratch_fs.h"

namespace wtrocks::testing {
namespace {

using rocksdb::FileOptions;
using rocksdb::FSWritableFile;
using rocksdb::IOOptions;
using rocksdb::IOStatus;

std::unique_ptr<FSWritableFile> OpenWal(rocksdb::FileSystem* fs,
                                        const std::string& path) {
  std::unique_ptr<FSWritableFile> f;
  IOStatus s = fs->NewWritableFile(path, FileOptions(), &f, nullptr);
  EXPECT_TRUE(s.ok()) << path << ": " << s.ToString();
  return f;
}

// Without preallocation the only writes are the data writes the test makes.
engine::EngineConfig NoPrezero() {
  engine::EngineConfig c;
  c.prealloc_bytes = 0;
  return c;
}

std::future<IOStatus> AppendAsync(FSWritableFile* f, const std::string& data) {
  return std::async(std::launch::async, [f, data] {
    return f->Append(data, IOOptions(), nullptr);
  });
}

// Two WALs through one FileSystem whose completions the gate can hold.
struct TwoWals {
  CompletionGate gate;
  WtrocksEnv env;
  std::unique_ptr<FSWritableFile> older;
  std::unique_ptr<FSWritableFile> newer;

  // defer_bytes: engine/'s default defers unsynced appends, so the older
  // WAL's tail is only written once the gate asks for it; 0 starts it at
  // the Append.
  TwoWals(const std::string& older_path, const std::string& newer_path,
          uint64_t defer_bytes) {
    engine::EngineConfig config = NoPrezero();
    config.defer_bytes = defer_bytes;
    config.wal_completion_fault = gate.Hook();
    env = MakeEnv(config);
    older = OpenWal(env.fs.get(), older_path);
    newer = OpenWal(env.fs.get(), newer_path);
  }
  // A failed assertion must not leave the completion thread held, or the
  // files' Close would wait for it forever.
  ~TwoWals() { gate.Release(); }
  // Puts `data` in flight in the older WAL and keeps it there (defer 0).
  void HoldOlderTail(const std::string& data) {
    ASSERT_TRUE(older && newer);
    gate.Arm();
    ASSERT_TRUE(older->Append(data, IOOptions(), nullptr).ok());
    gate.WaitHeld();
  }
};

TEST(WalOrderTest, NewWalWaitsForTheOlderWalsTail) {
  WTROCKS_SCRATCH_DIR_OR_SKIP(dir, ScratchFs::kXfs);
  // The older WAL's tail is deferred (unsynced, nobody waits): the new
  // WAL's first Append must make it durable, and the gate holds that write.
  TwoWals w(dir + "/000001.log", dir + "/000002.log",
            engine::EngineConfig().defer_bytes);
  ASSERT_TRUE(w.older && w.newer);
  FSWritableFile* old_wal = w.older.get();
  FSWritableFile* new_wal = w.newer.get();
  w.gate.Arm();
  ASSERT_TRUE(old_wal->Append("old wal tail", IOOptions(), nullptr).ok());

  std::future<IOStatus> first = AppendAsync(new_wal, "new wal record");
  w.gate.WaitHeld();
  // The gate's promise: the new record is not handed to wal/ (no write, no
  // page-cache copy) while the old tail is in flight. Without the gate this
  // Append returns at once.
  EXPECT_EQ(first.wait_for(std::chrono::milliseconds(500)),
            std::future_status::timeout);
  EXPECT_EQ(new_wal->GetFileSize(IOOptions(), nullptr), 0u);

  w.gate.Release();
  IOStatus s = first.get();
  EXPECT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(new_wal->GetFileSize(IOOptions(), nullptr), 14u);
  // The gate let it through only once the old tail was durable.
  uint64_t old_size = old_wal->GetFileSize(IOOptions(), nullptr);
  EXPECT_TRUE(old_wal->Sync(IOOptions(), nullptr).ok());  // a no-op wait now
  EXPECT_EQ(old_size, 12u);
  // Later appends pass straight through.
  EXPECT_TRUE(new_wal->Append("more", IOOptions(), nullptr).ok());
  EXPECT_TRUE(new_wal->Sync(IOOptions(), nullptr).ok());
  EXPECT_TRUE(old_wal->Close(IOOptions(), nullptr).ok());
  EXPECT_TRUE(new_wal->Close(IOOptions(), nullptr).ok());
}

TEST(WalOrderTest, DurableOlderWalCostsNoWait) {
  WTROCKS_SCRATCH_DIR_OR_SKIP(dir, ScratchFs::kXfs);
  WtrocksEnv env = MakeEnv(NoPrezero());
  auto old_wal = OpenWal(env.fs.get(), dir + "/000001.log");
  ASSERT_TRUE(old_wal);
  ASSERT_TRUE(old_wal->Append("synced", IOOptions(), nullptr).ok());
  ASSERT_TRUE(old_wal->Sync(IOOptions(), nullptr).ok());
  auto new_wal = OpenWal(env.fs.get(), dir + "/000002.log");
  ASSERT_TRUE(new_wal);
  EXPECT_TRUE(new_wal->Append("record", IOOptions(), nullptr).ok());
  EXPECT_NE(env.wtrocks()->StatsLine().find(" wal_order_waits=0 "),
            std::string::npos)
      << env.wtrocks()->StatsLine();
  EXPECT_TRUE(old_wal->Close(IOOptions(), nullptr).ok());
  EXPECT_TRUE(new_wal->Close(IOOptions(), nullptr).ok());
}

// Two DBs sharing one FileSystem do not wait for each other's WALs.
TEST(WalOrderTest, OtherDirectoriesAreNotWaitedFor) {
  WTROCKS_SCRATCH_DIR_OR_SKIP(dir, ScratchFs::kXfs);
  ASSERT_EQ(mkdir((dir + "/a").c_str(), 0755), 0);
  ASSERT_EQ(mkdir((dir + "/b").c_str(), 0755), 0);
  TwoWals w(dir + "/a/000001.log", dir + "/b/000002.log", 0);
  ASSERT_NO_FATAL_FAILURE(w.HoldOlderTail("held in flight"));
  std::future<IOStatus> other = AppendAsync(w.newer.get(), "independent");
  // Generous: this only has to return at all while a's write is held.
  ASSERT_EQ(other.wait_for(std::chrono::seconds(30)),
            std::future_status::ready);
  EXPECT_TRUE(other.get().ok());
  w.gate.Release();
  EXPECT_TRUE(w.older->Close(IOOptions(), nullptr).ok());
  EXPECT_TRUE(w.newer->Close(IOOptions(), nullptr).ok());
}

// A failed tail in the older WAL must stop the newer one: writing past it
// would be writing past a hole. The error names both files and stays.
TEST(WalOrderTest, OlderWalErrorFailsTheNewWal) {
  WTROCKS_SCRATCH_DIR_OR_SKIP(dir, ScratchFs::kXfs);
  engine::EngineConfig config = NoPrezero();
  // Fails the first completion: the old WAL's tail.
  std::atomic<int> completions{0};
  config.wal_completion_fault = [&](uint64_t, uint64_t, int res) {
    return completions++ == 0 ? -EIO : res;
  };
  WtrocksEnv env = MakeEnv(config);
  auto old_wal = OpenWal(env.fs.get(), dir + "/000001.log");
  auto new_wal = OpenWal(env.fs.get(), dir + "/000002.log");
  ASSERT_TRUE(old_wal && new_wal);
  // Unsynced: the append itself may return before its completion fails.
  old_wal->Append("lost tail", IOOptions(), nullptr).PermitUncheckedError();

  IOStatus s = new_wal->Append("must not land", IOOptions(), nullptr);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.ToString().find("EIO"), std::string::npos) << s.ToString();
  EXPECT_NE(s.ToString().find("000001.log"), std::string::npos) << s.ToString();
  EXPECT_EQ(new_wal->GetFileSize(IOOptions(), nullptr), 0u);
  // Sticky, even once the older WAL is gone from the registry.
  old_wal->Close(IOOptions(), nullptr).PermitUncheckedError();
  EXPECT_FALSE(new_wal->Append("still not", IOOptions(), nullptr).ok());
  EXPECT_EQ(new_wal->GetFileSize(IOOptions(), nullptr), 0u);
  new_wal->Close(IOOptions(), nullptr).PermitUncheckedError();
}

}  // namespace
}  // namespace wtrocks::testing
