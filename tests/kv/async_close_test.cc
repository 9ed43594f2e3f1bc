// Copyright (c) wtrocks authors.
//
// Close with commits in flight: a WAL completion is held (so at least one
// commit is provably not durable yet) until Close has begun; every commit is
// then delivered exactly once before Close returns, the acknowledged ones
// are in the database, and the ones refused because of the Close are not.
#include <gtest/gtest.h>

#include <atomic>
#include <thread>
#include <vector>

#include "tests/kv/kv_test_util.h"
#include "tests/lib/scratch_fs.h"

namespace wtrocks::testing {
namespace {

TEST(KvAsyncCloseTest, CloseDeliversEveryCommitInFlightExactlyOnce) {
  WTROCKS_SCRATCH_DIR_OR_SKIP(dir, ScratchFs::kXfs);
  CompletionGate gate;
  kv::KvOptions o = TestOptions(dir);
  o.wal_completion_fault = gate.Hook();
  std::unique_ptr<kv::KvDb> db;
  ASSERT_TRUE(kv::KvDb::Open(o, &db).ok());

  constexpr int kN = 2000;
  std::vector<std::atomic<int>> calls(kN);
  std::vector<rocksdb::Status> status(kN);
  gate.Arm();
  // The writer may block inside WriteAsync while the gate holds the WAL's
  // completion (wal/ runs the hook under the file lock); that is fine, it
  // only has to be a different thread from the one releasing the gate.
  std::thread writer([&] {
    for (int i = 0; i < kN; i++) {
      db->PutAsync("k" + std::to_string(i), "v",
                   [&, i](const rocksdb::Status& s) {
                     status[i] = s;
                     calls[i]++;
                   });
    }
  });
  gate.WaitHeld();  // a WAL write is done but not yet reported: not durable
  rocksdb::Status close_status;
  std::thread closer([&] { close_status = db->Close(); });
  // Close has begun once calls are refused. The probe is a read: a write
  // from this thread would block on the held WAL like the writer does.
  std::string v;
  while (!db->Get("probe", &v).IsAborted()) std::this_thread::yield();
  gate.Release();
  closer.join();
  writer.join();
  EXPECT_TRUE(close_status.ok()) << close_status.ToString();

  int ok = 0, aborted = 0;
  for (int i = 0; i < kN; i++) {
    ASSERT_EQ(calls[i].load(), 1) << "commit " << i;
    if (status[i].ok()) {
      ok++;
    } else {
      ASSERT_TRUE(status[i].IsAborted()) << i << ": " << status[i].ToString();
      aborted++;
    }
  }
  EXPECT_GE(ok, 1) << "the held commit must have been delivered by Close";
  auto back = ReadBack(o.path);
  for (int i = 0; i < kN; i++) {
    std::string k = "k" + std::to_string(i);
    if (status[i].ok()) {
      EXPECT_EQ(back.count(k), 1u) << "acknowledged key lost: " << k;
    } else {
      EXPECT_EQ(back.count(k), 0u) << "refused key was written: " << k;
    }
  }
  // A second Close returns the first one's status.
  EXPECT_TRUE(db->Close().ok());
  RecordProperty("acked", ok);
  RecordProperty("refused", aborted);
}

}  // namespace
}  // namespace wtrocks::testing
