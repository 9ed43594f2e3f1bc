// Copyright (c) wtrocks authors.
//
// RocksDB's sync=false writes through real RocksDB: the WAL append costs no
// durable device write (engine/ opens WALs with wal/'s defer_bytes), the
// bytes are in the page cache when DB::Write returns, and everything that
// waits makes them durable: SyncWAL, a sync=true write, a WAL barrier.
// Fails with defer=0 (the behaviour before 2026-11-30): "WAL data writes
// after 200 unsynced puts: 3" (every idle append started one), and the
// barrier was met before anything waited.
#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <thread>

#include "tests/engine/engine_test_util.h"

namespace wtrocks::testing {
namespace {

// The value of `key` in a wtrocks-stats line, or -1.
long long StatValue(const std::string& line, const std::string& key) {
  size_t p = line.find(" " + key + "=");
  if (p == std::string::npos) return -1;
  return std::stoll(line.substr(p + key.size() + 2));
}

class UnsyncedWalTest : public LiveWalDbTest {
 protected:
  // Puts n keys with sync=false and returns a barrier over them.
  engine::WalBarrier PutUnsynced(rocksdb::DB* db, int from, int n) {
    for (int i = from; i < from + n; i++) {
      EXPECT_TRUE(db->Put(rocksdb::WriteOptions(), "key" + std::to_string(i),
                          std::string(100, 'v'))
                      .ok());
    }
    return env_.wtrocks()->CaptureWalBarrier();
  }
  static bool Met(const engine::WalBarrier& b) {
    for (const auto& p : b.points)
      if (p.file->durable_offset() < p.offset) return false;
    return true;
  }
};

TEST_P(UnsyncedWalTest, NoDeviceWritePerAppendAndEveryWaitMakesDurable) {
  auto db = OpenDb();
  ASSERT_NE(db, nullptr);
  const long long writes0 =
      StatValue(env_.wtrocks()->StatsLine(), "wal_data_writes");

  engine::WalBarrier b = PutUnsynced(db.get(), 0, 200);
  ASSERT_EQ(b.points.size(), 1u);
  // A write started by an append would have completed by now.
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  const long long writes =
      StatValue(env_.wtrocks()->StatsLine(), "wal_data_writes") - writes0;
  EXPECT_EQ(writes, 0) << "WAL data writes after 200 unsynced puts: " << writes;
  EXPECT_FALSE(Met(b)) << "unsynced bytes became durable with nobody waiting";

  // SyncWAL makes every one of them durable.
  ASSERT_TRUE(db->SyncWAL().ok());
  EXPECT_TRUE(Met(b));

  // So does a sync=true write, for the unsynced ones before it.
  b = PutUnsynced(db.get(), 200, 200);
  EXPECT_FALSE(Met(b));
  rocksdb::WriteOptions sync;
  sync.sync = true;
  ASSERT_TRUE(db->Put(sync, "synced", "1").ok());
  EXPECT_TRUE(Met(b));

  // And a WAL barrier.
  b = PutUnsynced(db.get(), 400, 200);
  EXPECT_FALSE(Met(b));
  ASSERT_TRUE(env_.wtrocks()->WaitDurable(b).ok());
  EXPECT_TRUE(Met(b));
  ASSERT_TRUE(db->Close().ok());
}

INSTANTIATE_TEST_SUITE_P(Modes, UnsyncedWalTest,
                         ::testing::ValuesIn(AllModes()),
                         [](const ::testing::TestParamInfo<wal::Mode>& info) {
                           return std::string(wal::ModeName(info.param));
                         });

}  // namespace
}  // namespace wtrocks::testing
