// Copyright (c) wtrocks authors.
//
// Failures of async commits: an EIO injected at a WAL write's completion
// (the one fault a real device cannot produce on demand) reaches the
// callbacks, sticks, and nothing acknowledged before it is lost; options
// under which an acknowledgement could come too early are refused; misuse
// (Close from a callback) is refused instead of deadlocking.
#include <errno.h>
#include <gtest/gtest.h>

#include <atomic>
#include <fstream>
#include <tuple>
#include <vector>

#include "engine/kv/ack_log.h"
#include "tests/kv/kv_test_util.h"
#include "tests/lib/mode_skip.h"
#include "tests/lib/scratch_fs.h"

namespace wtrocks::testing {
namespace {

// Run for every wal/ mode this machine supports on XFS: each backend must
// carry a completion error to the barrier; and for both places callbacks
// run (KvOptions::callbacks_on_completion): the error must stick either way.
class KvInjectedErrorTest
    : public ::testing::TestWithParam<std::tuple<wal::Mode, bool>> {};

TEST_P(KvInjectedErrorTest, ReachesCallbacksAndSticks) {
  const auto [mode, on_completion] = GetParam();
  WTROCKS_SCRATCH_DIR_OR_SKIP(dir, ScratchFs::kXfs);
  WTROCKS_MODE_OR_SKIP(dir, mode);
  std::atomic<bool> fail{false};
  kv::KvOptions o = TestOptions(dir);
  o.mode = wal::ModeName(mode);
  o.callbacks_on_completion = on_completion;
  o.wal_completion_fault = [&](uint64_t, uint64_t, int res) {
    return fail.load() ? -EIO : res;
  };
  std::unique_ptr<kv::KvDb> db;
  ASSERT_TRUE(kv::KvDb::Open(o, &db).ok());

  constexpr int kGood = 200, kBad = 100;
  std::vector<std::atomic<int>> calls(kGood + kBad + 1);
  std::vector<rocksdb::Status> status(kGood + kBad + 1);
  auto submit = [&](int i) {
    db->PutAsync("k" + std::to_string(i), "v",
                 [&, i](const rocksdb::Status& s) {
                   status[i] = s;
                   calls[i]++;
                 });
  };
  for (int i = 0; i < kGood; i++) submit(i);
  ASSERT_TRUE(db->WaitForCommits().ok());
  for (int i = 0; i < kGood; i++) ASSERT_TRUE(status[i].ok()) << i;

  fail = true;
  for (int i = kGood; i < kGood + kBad; i++) submit(i);
  ASSERT_TRUE(db->WaitForCommits().ok());
  // The device "recovers": a later commit must still fail, because the WAL
  // has a hole where the failed bytes were.
  fail = false;
  submit(kGood + kBad);
  ASSERT_TRUE(db->WaitForCommits().ok());

  for (int i = 0; i <= kGood + kBad; i++) ASSERT_EQ(calls[i].load(), 1) << i;
  for (int i = kGood; i <= kGood + kBad; i++) {
    EXPECT_FALSE(status[i].ok())
        << "commit " << i << " acknowledged after a failed WAL write";
  }
  const std::string first = status[kGood].ToString();
  EXPECT_NE(first.find("EIO"), std::string::npos) << first;
  EXPECT_GE(db->commit_stats().delivered_failed, static_cast<uint64_t>(kBad));
  db->Close().PermitUncheckedError();

  auto back = ReadBack(o.path);
  for (int i = 0; i < kGood; i++) {
    EXPECT_EQ(back.count("k" + std::to_string(i)), 1u)
        << "acknowledged key lost: k" << i;
  }
}

INSTANTIATE_TEST_SUITE_P(
    Modes, KvInjectedErrorTest,
    // Every mode the engine offers (it refuses direct for RocksDB files).
    ::testing::Combine(::testing::Values(wal::Mode::kWriteThrough,
                                         wal::Mode::kDsync, wal::Mode::kFsync),
                       ::testing::Bool()),
    [](const ::testing::TestParamInfo<std::tuple<wal::Mode, bool>>& p) {
      return std::string(wal::ModeName(std::get<0>(p.param))) +
             (std::get<1>(p.param) ? "_OnCompletion" : "");
    });

// The oracle's view (issue 6): an AckLog line per commit, in commit order,
// "ack" before the fault and "fail ... | <status>" after it.
TEST(KvAsyncErrorsTest, AckLogRecordsAcksThenFailures) {
  WTROCKS_SCRATCH_DIR_OR_SKIP(dir, ScratchFs::kXfs);
  std::atomic<bool> fail{false};
  kv::KvOptions o = TestOptions(dir);
  o.wal_completion_fault = [&](uint64_t, uint64_t, int res) {
    return fail.load() ? -EIO : res;
  };
  std::unique_ptr<kv::KvDb> db;
  ASSERT_TRUE(kv::KvDb::Open(o, &db).ok());
  std::unique_ptr<kv::AckLog> acks;
  ASSERT_TRUE(kv::AckLog::Open(dir + "/acks", &acks).ok());
  for (int i = 0; i < 10; i++) {
    if (i == 5) {
      ASSERT_TRUE(db->WaitForCommits().ok());
      fail = true;
    }
    std::string k = "k" + std::to_string(i);
    db->PutAsync(k, "v", acks->Wrap({k}));
  }
  ASSERT_TRUE(db->WaitForCommits().ok());
  db->Close().PermitUncheckedError();
  ASSERT_TRUE(acks->status().ok());
  std::ifstream in(dir + "/acks");
  std::string line;
  for (int i = 0; i < 10; i++) {
    ASSERT_TRUE(std::getline(in, line)) << "missing line " << i;
    std::string k = "k" + std::to_string(i);
    if (i < 5) {
      EXPECT_EQ(line, "ack " + k);
    } else {
      EXPECT_EQ(line.rfind("fail " + k + " | ", 0), 0u) << line;
      EXPECT_NE(line.find("EIO"), std::string::npos) << line;
    }
  }
  EXPECT_FALSE(std::getline(in, line)) << "extra line: " << line;
}

TEST(KvAsyncErrorsTest, UnsafeOptionsAreRefusedWithTheReason) {
  WTROCKS_SCRATCH_DIR_OR_SKIP(dir, ScratchFs::kXfs);
  struct Case {
    const char* name;
    void (*set)(rocksdb::Options*);
  } cases[] = {
      {"manual_wal_flush",
       [](rocksdb::Options* o) { o->manual_wal_flush = true; }},
      {"unordered_write",
       [](rocksdb::Options* o) { o->unordered_write = true; }},
      {"two_write_queues",
       [](rocksdb::Options* o) { o->two_write_queues = true; }},
      {"custom env", [](rocksdb::Options* o) { o->env = nullptr; }},
  };
  for (const Case& c : cases) {
    kv::KvOptions o = TestOptions(dir);
    c.set(&o.db_options);
    std::unique_ptr<kv::KvDb> db;
    rocksdb::Status s = kv::KvDb::Open(o, &db);
    EXPECT_TRUE(s.IsInvalidArgument()) << c.name << ": " << s.ToString();
    EXPECT_NE(s.ToString().find(std::string(c.name).substr(0, 6)),
              std::string::npos)
        << s.ToString();
    EXPECT_FALSE(db);
  }
  kv::KvOptions o = TestOptions(dir);
  o.mode = "nonsense";
  std::unique_ptr<kv::KvDb> db;
  rocksdb::Status s = kv::KvDb::Open(o, &db);
  EXPECT_TRUE(s.IsInvalidArgument()) << s.ToString();
  EXPECT_NE(s.ToString().find("nonsense"), std::string::npos) << s.ToString();
}

TEST(KvAsyncErrorsTest, DisableWalIsRefusedThroughTheCallback) {
  WTROCKS_SCRATCH_DIR_OR_SKIP(dir, ScratchFs::kXfs);
  std::unique_ptr<kv::KvDb> db;
  ASSERT_TRUE(kv::KvDb::Open(TestOptions(dir), &db).ok());
  rocksdb::WriteOptions wo;
  wo.disableWAL = true;
  rocksdb::WriteBatch b;
  b.Put("nowal", "v");
  std::atomic<int> calls{0};
  rocksdb::Status got;
  db->WriteAsync(wo, &b, [&](const rocksdb::Status& s) {
    got = s;
    calls++;
  });
  // A refused commit is not an I/O failure: it must not poison later ones.
  std::future<rocksdb::Status> later = db->WriteAsync(&b);
  EXPECT_TRUE(later.get().ok());
  EXPECT_EQ(calls.load(), 1);
  EXPECT_TRUE(got.IsInvalidArgument()) << got.ToString();
  EXPECT_NE(got.ToString().find("disableWAL"), std::string::npos)
      << got.ToString();
  ASSERT_TRUE(db->Close().ok());
}

TEST(KvAsyncErrorsTest, CloseFromACallbackIsRefused) {
  WTROCKS_SCRATCH_DIR_OR_SKIP(dir, ScratchFs::kXfs);
  std::unique_ptr<kv::KvDb> db;
  ASSERT_TRUE(kv::KvDb::Open(TestOptions(dir), &db).ok());
  rocksdb::Status from_cb, wait_from_cb;
  db->PutAsync("a", "1", [&](const rocksdb::Status&) {
    from_cb = db->Close();
    wait_from_cb = db->WaitForCommits();
  });
  ASSERT_TRUE(db->WaitForCommits().ok());
  EXPECT_TRUE(from_cb.IsInvalidArgument()) << from_cb.ToString();
  EXPECT_TRUE(wait_from_cb.IsInvalidArgument()) << wait_from_cb.ToString();
  // The refused Close left the database usable.
  EXPECT_TRUE(db->Put("b", "2").ok());
  ASSERT_TRUE(db->Close().ok());
}

}  // namespace
}  // namespace wtrocks::testing
