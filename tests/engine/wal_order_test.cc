// Copyright (c) wtrocks authors.
//
// The cross-file order gate (engine/README.md, "WAL order across files"):
// a new WAL's first durable write must not start while an older WAL of the
// same directory still has bytes that are not durable, or a power cut could
// recover the new WAL's acknowledged record without the old WAL's tail. A
// CompletionGate holds the old WAL's write in flight for as long as the
// test needs. Appends themselves never wait (sync=false writes must not pay
// for the switch); only what waits for durability does.
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

// The order gate's count of first writes that had to wait.
void ExpectOrderWaits(WtrocksEnv& env, int n) {
  const std::string line = env.wtrocks()->StatsLine();
  EXPECT_NE(line.find(" wal_order_waits=" + std::to_string(n) + " "),
            std::string::npos)
      << line;
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
  // Releases whatever the gate holds, then closes both WALs.
  void CloseBoth() {
    gate.Release();
    EXPECT_TRUE(older->Close(IOOptions(), nullptr).ok());
    EXPECT_TRUE(newer->Close(IOOptions(), nullptr).ok());
  }
  void HoldOlderTail(const std::string& data) {
    ASSERT_TRUE(older && newer);
    gate.Arm();
    ASSERT_TRUE(older->Append(data, IOOptions(), nullptr).ok());
    gate.WaitHeld();
  }
};

std::future<IOStatus> SyncAsync(FSWritableFile* f) {
  return std::async(std::launch::async,
                    [f] { return f->Sync(IOOptions(), nullptr); });
}

TEST(WalOrderTest, NewWalsFirstSyncWaitsForTheOlderWalsTail) {
  WTROCKS_SCRATCH_DIR_OR_SKIP(dir, ScratchFs::kXfs);
  // The older WAL's tail is deferred (unsynced, nobody waits): the new
  // WAL's first durable write must make it durable first, and the gate
  // holds that write.
  TwoWals w(dir + "/000001.log", dir + "/000002.log",
            engine::EngineConfig().defer_bytes);
  ASSERT_TRUE(w.older && w.newer);
  FSWritableFile* old_wal = w.older.get();
  FSWritableFile* new_wal = w.newer.get();
  w.gate.Arm();
  ASSERT_TRUE(old_wal->Append("old wal tail", IOOptions(), nullptr).ok());
  // A sync=false append to the new WAL goes straight to the page cache.
  ASSERT_TRUE(new_wal->Append("new wal record", IOOptions(), nullptr).ok());
  EXPECT_EQ(new_wal->GetFileSize(IOOptions(), nullptr), 14u);

  std::future<IOStatus> synced = SyncAsync(new_wal);
  w.gate.WaitHeld();
  // The gate's promise: the new record is not made durable while the old
  // tail is in flight. Without the gate this Sync returns at once.
  EXPECT_EQ(synced.wait_for(std::chrono::milliseconds(500)),
            std::future_status::timeout);
  ExpectOrderWaits(w.env, 1);

  w.gate.Release();
  IOStatus s = synced.get();
  EXPECT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(old_wal->GetFileSize(IOOptions(), nullptr), 12u);
  EXPECT_TRUE(old_wal->Sync(IOOptions(), nullptr).ok());  // a no-op wait now
  // Later writes pass straight through.
  EXPECT_TRUE(new_wal->Append("more", IOOptions(), nullptr).ok());
  EXPECT_TRUE(new_wal->Sync(IOOptions(), nullptr).ok());
  EXPECT_TRUE(old_wal->Close(IOOptions(), nullptr).ok());
  EXPECT_TRUE(new_wal->Close(IOOptions(), nullptr).ok());
}

// RocksDB's sync=false writes after a WAL switch: the first appends to the
// new WAL do not wait for the old WAL's deferred tail, which nobody has
// asked to be durable yet. The strict gate (2026-11-30 to 2026-12-03) made
// the first Append wait for it: with the old WAL's write held in flight,
// the Append below did not return.
TEST(WalOrderTest, UnsyncedAppendsToANewWalDoNotWait) {
  WTROCKS_SCRATCH_DIR_OR_SKIP(dir, ScratchFs::kXfs);
  TwoWals w(dir + "/000001.log", dir + "/000002.log",
            engine::EngineConfig().defer_bytes);
  ASSERT_TRUE(w.older && w.newer);
  w.gate.Arm();
  ASSERT_TRUE(w.older->Append("old wal tail", IOOptions(), nullptr).ok());
  std::future<IOStatus> appended = std::async(std::launch::async, [&] {
    for (int i = 0; i < 100; i++) {
      IOStatus s = w.newer->Append("unsynced record", IOOptions(), nullptr);
      if (!s.ok()) return s;
    }
    return IOStatus::OK();
  });
  // Generous: this only has to return at all. If it blocks, it waits for
  // the old WAL's write, which the armed gate holds until released.
  const bool returned =
      appended.wait_for(std::chrono::seconds(30)) == std::future_status::ready;
  w.gate.Release();
  ASSERT_TRUE(returned)
      << "a sync=false append to a new WAL waited for the older WAL";
  EXPECT_TRUE(appended.get().ok());
  EXPECT_EQ(w.newer->GetFileSize(IOOptions(), nullptr), 1500u);
  ExpectOrderWaits(w.env, 0);
  w.CloseBoth();
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
  EXPECT_TRUE(new_wal->Sync(IOOptions(), nullptr).ok());
  ExpectOrderWaits(env, 0);
  EXPECT_TRUE(old_wal->Close(IOOptions(), nullptr).ok());
  EXPECT_TRUE(new_wal->Close(IOOptions(), nullptr).ok());
}

// Two DBs sharing one FileSystem do not wait for each other's WALs. With
// defer 0 the newer WAL's Append asks its gate at once (one completion
// thread: a Sync here would wait behind the held write whatever the gate
// said, so the gate's own count is what shows it did not wait).
TEST(WalOrderTest, OtherDirectoriesAreNotWaitedFor) {
  WTROCKS_SCRATCH_DIR_OR_SKIP(dir, ScratchFs::kXfs);
  ASSERT_EQ(mkdir((dir + "/a").c_str(), 0755), 0);
  ASSERT_EQ(mkdir((dir + "/b").c_str(), 0755), 0);
  TwoWals w(dir + "/a/000001.log", dir + "/b/000002.log", 0);
  ASSERT_NO_FATAL_FAILURE(w.HoldOlderTail("held in flight"));
  EXPECT_TRUE(w.newer->Append("independent", IOOptions(), nullptr).ok());
  ExpectOrderWaits(w.env, 0);
  w.CloseBoth();
}

// A failed tail in the older WAL must stop the newer one: making it
// durable would be writing past a hole. The error names both files and
// stays.
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
  // Unsynced, deferred: the tail's write starts when the new WAL asks.
  ASSERT_TRUE(old_wal->Append("lost tail", IOOptions(), nullptr).ok());
  ASSERT_TRUE(new_wal->Append("never durable", IOOptions(), nullptr).ok());

  IOStatus s = new_wal->Sync(IOOptions(), nullptr);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.ToString().find("EIO"), std::string::npos) << s.ToString();
  EXPECT_NE(s.ToString().find("000001.log"), std::string::npos) << s.ToString();
  EXPECT_EQ(completions.load(), 1) << "the new WAL wrote past the hole";
  // Sticky, even once the older WAL is gone from the registry.
  old_wal->Close(IOOptions(), nullptr).PermitUncheckedError();
  EXPECT_FALSE(new_wal->Append("still not", IOOptions(), nullptr).ok());
  EXPECT_FALSE(new_wal->Sync(IOOptions(), nullptr).ok());
  new_wal->Close(IOOptions(), nullptr).PermitUncheckedError();
}

}  // namespace
}  // namespace wtrocks::testing
