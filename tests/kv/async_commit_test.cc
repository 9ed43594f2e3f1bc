// Copyright (c) wtrocks authors.
//
// Async durable commits through real RocksDB, the real wtrocks FileSystem and
// a real XFS loop filesystem: each callback runs once, in commit order, only
// after its WAL bytes are durable; across flushes, WAL switches and many
// threads; and every acknowledged write is there after reopening with
// RocksDB's own FileSystem.
#include <gtest/gtest.h>

#include <atomic>
#include <thread>
#include <vector>

#include "tests/engine/engine_test_util.h"
#include "tests/kv/kv_test_util.h"
#include "tests/lib/mode_skip.h"
#include "tests/lib/scratch_fs.h"

namespace wtrocks::testing {
namespace {

std::string Key(int thread, int i) {
  char buf[32];
  snprintf(buf, sizeof(buf), "t%02d-%08d", thread, i);
  return buf;
}

TEST(KvAsyncCommitTest, BlockingApiAndFutureForm) {
  WTROCKS_SCRATCH_DIR_OR_SKIP(dir, ScratchFs::kXfs);
  std::unique_ptr<kv::KvDb> db;
  ASSERT_TRUE(kv::KvDb::Open(TestOptions(dir), &db).ok());
  ASSERT_TRUE(db->Put("a", "1").ok());
  ASSERT_TRUE(db->Put("b", "2").ok());
  ASSERT_TRUE(db->Delete("a").ok());
  std::string v;
  EXPECT_TRUE(db->Get("a", &v).IsNotFound());
  rocksdb::WriteBatch batch;
  batch.Put("c", "3");
  batch.Put("d", "4");
  std::future<rocksdb::Status> f = db->WriteAsync(&batch);
  rocksdb::Status s = f.get();
  EXPECT_TRUE(s.ok()) << s.ToString();
  ASSERT_TRUE(db->Get("d", &v).ok());
  EXPECT_EQ(v, "4");
  db->PutAsync("f", "6", nullptr);  // fire and forget is allowed
  ASSERT_TRUE(db->WaitForCommits().ok());
  EXPECT_EQ(db->commit_stats().delivered_ok, 2u);
  std::vector<std::string> seen;
  ASSERT_TRUE(db->Scan("", [&](const rocksdb::Slice& k, const rocksdb::Slice&) {
                  seen.push_back(k.ToString());
                  return true;
                }).ok());
  EXPECT_EQ(seen, (std::vector<std::string>{"b", "c", "d", "f"}));
  // MultiGet answers each key as Get does, in the keys' order.
  std::vector<rocksdb::Slice> keys = {"d", "a", "b", "d"};
  std::vector<rocksdb::PinnableSlice> values;
  std::vector<rocksdb::Status> statuses;
  db->MultiGet(keys, &values, &statuses);
  ASSERT_EQ(statuses.size(), 4u);
  EXPECT_TRUE(statuses[0].ok() && statuses[2].ok() && statuses[3].ok());
  EXPECT_TRUE(statuses[1].IsNotFound());
  EXPECT_EQ(values[0].ToString() + values[2].ToString() + values[3].ToString(),
            "424");
  ASSERT_TRUE(db->Close().ok());
  // Closed: blocking calls fail, async ones are refused inline, exactly once.
  EXPECT_TRUE(db->Put("e", "5").IsAborted());
  db->MultiGet(keys, &values, &statuses);
  ASSERT_EQ(statuses.size(), 4u);
  for (const rocksdb::Status& st : statuses) EXPECT_TRUE(st.IsAborted());
  int calls = 0;
  db->PutAsync("e", "5", [&](const rocksdb::Status& st) {
    EXPECT_TRUE(st.IsAborted()) << st.ToString();
    calls++;
  });
  EXPECT_EQ(calls, 1);
  auto back = ReadBack(dir + "/db");
  EXPECT_EQ(back.size(), 4u);
  EXPECT_EQ(back["c"], "3");
}

// One writer, a single WAL: the callback of commit i must see the WAL's
// durable watermark at or past the end of record i (the file size right
// after WriteAsync i returned), and callbacks come once each, in order.
// Run for every wal/ mode this machine supports on XFS.
class KvDurableBeforeAckTest : public ::testing::TestWithParam<wal::Mode> {};

TEST_P(KvDurableBeforeAckTest, CallbackRunsOnlyAfterItsRecordIsDurableInOrder) {
  WTROCKS_SCRATCH_DIR_OR_SKIP(dir, ScratchFs::kXfs);
  WTROCKS_MODE_OR_SKIP(dir, GetParam());
  kv::KvOptions o = TestOptions(dir);
  o.mode = wal::ModeName(GetParam());
  o.db_options.write_buffer_size = 64 << 20;  // no WAL switch in this test
  std::unique_ptr<kv::KvDb> db;
  rocksdb::Status open = kv::KvDb::Open(o, &db);
  ASSERT_TRUE(open.ok()) << open.ToString();
  engine::WalBarrier start = db->fs()->CaptureWalBarrier();
  ASSERT_EQ(start.points.size(), 1u);
  std::shared_ptr<wal::DurableFile> wal_file = start.points[0].file;
  ASSERT_EQ(wal_file->mode(), GetParam());

  constexpr int kN = 2000;
  std::vector<uint64_t> record_end(kN), watermark_at_cb(kN);
  std::vector<std::atomic<int>> calls(kN);
  std::vector<int> order;
  std::vector<rocksdb::Status> status(kN);
  for (int i = 0; i < kN; i++) {
    rocksdb::WriteBatch b;
    b.Put(Key(0, i), std::string(100, 'x'));
    db->WriteAsync(&b, [&, i](const rocksdb::Status& s) {
      watermark_at_cb[i] = wal_file->durable_offset();
      status[i] = s;
      order.push_back(i);  // callbacks run one at a time
      calls[i]++;
    });
    record_end[i] = wal_file->size();
  }
  ASSERT_TRUE(db->WaitForCommits().ok());
  engine::WalBarrier end = db->fs()->CaptureWalBarrier();
  ASSERT_EQ(end.points.size(), 1u);
  ASSERT_EQ(end.points[0].file, wal_file) << "the WAL switched; test invalid";
  ASSERT_EQ(order.size(), static_cast<size_t>(kN));
  for (int i = 0; i < kN; i++) {
    ASSERT_EQ(calls[i].load(), 1) << i;
    ASSERT_EQ(order[i], i) << "callbacks out of commit order";
    ASSERT_TRUE(status[i].ok()) << i << ": " << status[i].ToString();
    ASSERT_GE(watermark_at_cb[i], record_end[i])
        << "commit " << i << " acknowledged before its WAL bytes were durable";
  }
  kv::CommitQueueStats st = db->commit_stats();
  EXPECT_EQ(st.delivered_ok, static_cast<uint64_t>(kN));
  // The engine makes each WAL's directory entry durable (WtrocksFileSystem).
  EXPECT_EQ(db->fs()->StatsLine().find(" wal_dir_syncs=0 "), std::string::npos)
      << "the WAL's directory entry was never synced: "
      << db->fs()->StatsLine();
  ASSERT_TRUE(db->Close().ok());
  auto back = ReadBack(dir + "/db");
  EXPECT_EQ(back.size(), static_cast<size_t>(kN));
}

INSTANTIATE_TEST_SUITE_P(
    Modes, KvDurableBeforeAckTest,
    // Every mode the engine offers (it refuses direct for RocksDB files).
    ::testing::Values(wal::Mode::kWriteThrough, wal::Mode::kDsync,
                      wal::Mode::kFsync),
    [](const ::testing::TestParamInfo<wal::Mode>& m) {
      return std::string(wal::ModeName(m.param));
    });

// Several threads, each with a window of commits in flight, on a DB small
// enough to flush and switch WALs many times (max_total_wal_size also forces
// switches). Per thread, callbacks must arrive in submission order; overall,
// exactly once each; after reopening, every acknowledged key is present.
void RunManyWriters(const std::string& dir, int threads, int per_thread,
                    int window, bool small_db, bool pipelined = false) {
  kv::KvOptions o = TestOptions(dir);
  o.db_options.enable_pipelined_write = pipelined;
  if (small_db) {
    o.db_options.write_buffer_size = 64 << 10;
    o.db_options.max_write_buffer_number = 4;
    o.db_options.max_total_wal_size = 128 << 10;
    o.db_options.target_file_size_base = 256 << 10;
  }
  std::unique_ptr<kv::KvDb> db;
  rocksdb::Status s = kv::KvDb::Open(o, &db);
  ASSERT_TRUE(s.ok()) << s.ToString();

  struct Writer {
    std::mutex mu;
    std::condition_variable cv;
    int in_flight = 0;
    int next_expected = 0;
    bool out_of_order = false;
    std::vector<int> calls;
    std::vector<bool> ok;
  };
  std::vector<Writer> w(threads);
  std::vector<std::thread> ts;
  for (int t = 0; t < threads; t++) {
    w[t].calls.assign(per_thread, 0);
    w[t].ok.assign(per_thread, false);
    ts.emplace_back([&, t] {
      Writer& me = w[t];
      for (int i = 0; i < per_thread; i++) {
        {
          std::unique_lock<std::mutex> lock(me.mu);
          me.cv.wait(lock, [&] { return me.in_flight < window; });
          me.in_flight++;
        }
        db->PutAsync(Key(t, i), std::string(64 + i % 64, 'a' + t % 26),
                     [&me, i](const rocksdb::Status& st) {
                       std::lock_guard<std::mutex> lock(me.mu);
                       if (i != me.next_expected) me.out_of_order = true;
                       me.next_expected = i + 1;
                       me.calls[i]++;
                       me.ok[i] = st.ok();
                       me.in_flight--;
                       me.cv.notify_one();
                     });
      }
    });
  }
  for (auto& t : ts) t.join();
  ASSERT_TRUE(db->WaitForCommits().ok());
  // Every commit was delivered exactly once, and all of them succeeded.
  kv::CommitQueueStats st = db->commit_stats();
  const uint64_t total = static_cast<uint64_t>(threads) * per_thread;
  EXPECT_EQ(st.added, total);
  EXPECT_EQ(st.delivered_ok, total);
  EXPECT_EQ(st.delivered_failed, 0u);
  EXPECT_EQ(st.in_flight, 0u);
  if (small_db) {
    // Each new WAL has its directory synced by the engine: more than one
    // means rollover was exercised.
    std::string line = db->fs()->StatsLine();
    EXPECT_GE(StatsValue(line, "wal_dir_syncs"), 2)
        << "no WAL rollover happened: " << line;
  }
  ASSERT_TRUE(db->Close().ok());
  auto back = ReadBack(o.path);
  for (int t = 0; t < threads; t++) {
    EXPECT_FALSE(w[t].out_of_order) << "thread " << t;
    for (int i = 0; i < per_thread; i++) {
      ASSERT_EQ(w[t].calls[i], 1) << Key(t, i);
      ASSERT_TRUE(w[t].ok[i]) << Key(t, i);
      auto it = back.find(Key(t, i));
      ASSERT_TRUE(it != back.end()) << "acknowledged key lost: " << Key(t, i);
      ASSERT_EQ(it->second.size(), static_cast<size_t>(64 + i % 64));
    }
  }
  EXPECT_EQ(back.size(), static_cast<size_t>(threads) * per_thread);
}

TEST(KvAsyncCommitTest, ManyThreadsExactlyOnceInOrderPerThread) {
  WTROCKS_SCRATCH_DIR_OR_SKIP(dir, ScratchFs::kXfs);
  RunManyWriters(dir, 8, 1500, 16, /*small_db=*/false);
}

TEST(KvAsyncCommitTest, WalRolloverAndFlushesLoseNothing) {
  WTROCKS_SCRATCH_DIR_OR_SKIP(dir, ScratchFs::kXfs);
  RunManyWriters(dir, 4, 5000, 32, /*small_db=*/true);
}

// Pipelined writes keep the WAL stage ahead of the memtable stage that
// DB::Write waits for, so they are allowed (design-kv.md, R1); check it.
TEST(KvAsyncCommitTest, PipelinedWriteKeepsTheGuarantees) {
  WTROCKS_SCRATCH_DIR_OR_SKIP(dir, ScratchFs::kXfs);
  RunManyWriters(dir, 4, 3000, 32, /*small_db=*/true, /*pipelined=*/true);
}

// Reopening through wtrocks again (not only the default FileSystem) keeps
// the data and accepts more async commits.
TEST(KvAsyncCommitTest, ReopenAndContinue) {
  WTROCKS_SCRATCH_DIR_OR_SKIP(dir, ScratchFs::kXfs);
  for (int round = 0; round < 3; round++) {
    std::unique_ptr<kv::KvDb> db;
    ASSERT_TRUE(kv::KvDb::Open(TestOptions(dir), &db).ok());
    std::string v;
    for (int r = 0; r < round; r++) {
      ASSERT_TRUE(db->Get(Key(r, 499), &v).ok()) << "round " << r;
    }
    std::vector<std::future<rocksdb::Status>> fs;
    for (int i = 0; i < 500; i++) {
      rocksdb::WriteBatch b;
      b.Put(Key(round, i), "v");
      fs.push_back(db->WriteAsync(&b));
    }
    for (auto& f : fs) ASSERT_TRUE(f.get().ok());
    ASSERT_TRUE(db->Close().ok());
  }
  EXPECT_EQ(ReadBack(dir + "/db").size(), 1500u);
}

}  // namespace
}  // namespace wtrocks::testing
