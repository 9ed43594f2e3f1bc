// Copyright (c) wtrocks authors.
//
// Real RocksDB through a real WtrocksFileSystem on real loop-device XFS and
// ext4, once per durable-write mode: every test compares what the DB returns
// (after flushes, compactions and reopens) with an in-memory model. A mode
// the kernel or filesystem lacks (writethrough on a stock kernel) is skipped
// with the probe's reason.
#include <gtest/gtest.h>

#include <atomic>
#include <random>
#include <thread>

#include "engine/rocksdb_compat.h"
#include "tests/engine/engine_test_util.h"
#include "tests/lib/scratch_fs.h"
#include "wal/probe.h"

namespace wtrocks::testing {
namespace {

using engine::EngineConfig;

struct Param {
  ScratchFs fs;
  wal::Mode mode;
};

std::string ParamName(const ::testing::TestParamInfo<Param>& info) {
  return std::string(ScratchFsName(info.param.fs)) + "_" +
         wal::ModeName(info.param.mode);
}

class DbModelTest : public ::testing::TestWithParam<Param> {
 protected:
  // Binds dir_ and env_ (mode= for both WAL and SST) or skips.
  void SetUpDb(const std::string& dir, EngineConfig config = EngineConfig()) {
    dir_ = dir;
    config.wal_mode = GetParam().mode;
    config.sst_mode = GetParam().mode;
    env_ = MakeEnv(std::move(config));
  }
  rocksdb::Options Opts() { return SmallOptions(env_.env.get()); }
  std::unique_ptr<rocksdb::DB> Open(const rocksdb::Options& o) {
    rocksdb::DB* db = nullptr;
    rocksdb::Status s = rocksdb::DB::Open(o, dir_ + "/db", &db);
    EXPECT_TRUE(s.ok()) << s.ToString();
    return std::unique_ptr<rocksdb::DB>(db);
  }
  std::string dir_;
  WtrocksEnv env_;
};

#define SETUP_OR_SKIP()                                \
  WTROCKS_SCRATCH_DIR_OR_SKIP(scratch, GetParam().fs); \
  WTROCKS_MODE_OR_SKIP(scratch, GetParam().mode);      \
  SetUpDb(scratch)

TEST_P(DbModelTest, PutDeleteMergeFlushCompactReopen) {
  SETUP_OR_SKIP();
  std::map<std::string, std::string> model;
  std::mt19937 rng(42);
  {
    auto db = Open(Opts());
    ASSERT_TRUE(db);
    rocksdb::WriteOptions sync_wo;
    sync_wo.sync = true;
    for (int i = 0; i < 6000; ++i) {
      std::string key = "k" + std::to_string(rng() % 1500);
      const rocksdb::WriteOptions& wo =
          i % 7 == 0 ? sync_wo : rocksdb::WriteOptions();
      int op = rng() % 10;
      if (op < 6) {
        std::string value(50 + rng() % 200, static_cast<char>('a' + i % 26));
        ASSERT_TRUE(db->Put(wo, key, value).ok());
        model[key] = value;
      } else if (op < 8) {
        std::string operand = std::to_string(i);
        ASSERT_TRUE(db->Merge(wo, key, operand).ok());
        auto it = model.find(key);
        model[key] = it == model.end() ? operand : it->second + "," + operand;
      } else {
        ASSERT_TRUE(db->Delete(wo, key).ok());
        model.erase(key);
      }
      if (i == 3000) {
        ASSERT_TRUE(db->Flush(rocksdb::FlushOptions()).ok());
        ASSERT_TRUE(
            db->CompactRange(rocksdb::CompactRangeOptions(), nullptr, nullptr)
                .ok());
      }
    }
    EXPECT_EQ(Dump(db.get()), model);
    std::string files;
    ASSERT_TRUE(db->GetProperty("rocksdb.num-files-at-level0", &files));
    uint64_t live_ssts = 0;
    std::vector<rocksdb::LiveFileMetaData> meta;
    db->GetLiveFilesMetaData(&meta);
    live_ssts = meta.size();
    EXPECT_GT(live_ssts, 0u) << "the workload should have written SSTs";
    ASSERT_TRUE(db->Close().ok());
  }
  // Reopen: WAL replay plus SSTs.
  {
    auto db = Open(Opts());
    ASSERT_TRUE(db);
    EXPECT_EQ(Dump(db.get()), model);
    ASSERT_TRUE(
        db->CompactRange(rocksdb::CompactRangeOptions(), nullptr, nullptr)
            .ok());
    EXPECT_EQ(Dump(db.get()), model);
    ASSERT_TRUE(db->Close().ok());
  }
  std::string line = env_.wtrocks()->StatsLine();
  EXPECT_NE(
      line.find(std::string("wal_mode=") + wal::ModeName(GetParam().mode)),
      std::string::npos)
      << line;
  // The info LOG says which mode WAL files use and why.
  std::string log = ReadFile(dir_ + "/db/LOG");
  EXPECT_NE(log.find(std::string("wtrocks: WAL files use mode ") +
                     wal::ModeName(GetParam().mode)),
            std::string::npos);
}

TEST_P(DbModelTest, ColumnFamilies) {
  SETUP_OR_SKIP();
  rocksdb::Options o = Opts();
  std::vector<std::string> names = {rocksdb::kDefaultColumnFamilyName, "one",
                                    "two"};
  std::map<std::string, std::map<std::string, std::string>> model;
  {
    auto db = Open(o);
    ASSERT_TRUE(db);
    std::vector<rocksdb::ColumnFamilyHandle*> handles;
    for (int c = 1; c < 3; ++c) {
      rocksdb::ColumnFamilyHandle* h;
      ASSERT_TRUE(db->CreateColumnFamily(o, names[c], &h).ok());
      handles.push_back(h);
    }
    rocksdb::WriteOptions wo;
    wo.sync = true;
    for (int i = 0; i < 900; ++i) {
      int c = i % 3;
      std::string key = "key" + std::to_string(i % 400);
      std::string value = names[c] + std::to_string(i) + std::string(100, 'v');
      rocksdb::WriteBatch batch;  // one atomic batch across families
      batch.Put(c == 0 ? db->DefaultColumnFamily() : handles[c - 1], key,
                value);
      ASSERT_TRUE(db->Write(wo, &batch).ok());
      model[names[c]][key] = value;
    }
    ASSERT_TRUE(db->Flush(rocksdb::FlushOptions(), handles[0]).ok());
    for (auto* h : handles) ASSERT_TRUE(db->DestroyColumnFamilyHandle(h).ok());
    ASSERT_TRUE(db->Close().ok());
  }
  std::vector<rocksdb::ColumnFamilyDescriptor> desc;
  for (const auto& n : names) desc.emplace_back(n, o);
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  rocksdb::DB* raw = nullptr;
  rocksdb::Status s = rocksdb::DB::Open(o, dir_ + "/db", desc, &handles, &raw);
  ASSERT_TRUE(s.ok()) << s.ToString();
  std::unique_ptr<rocksdb::DB> db(raw);
  for (size_t c = 0; c < names.size(); ++c) {
    EXPECT_EQ(Dump(db.get(), handles[c]), model[names[c]]) << names[c];
  }
  for (auto* h : handles) ASSERT_TRUE(db->DestroyColumnFamilyHandle(h).ok());
  ASSERT_TRUE(db->Close().ok());
}

TEST_P(DbModelTest, WalRolloverAndRecycling) {
  SETUP_OR_SKIP();
  rocksdb::Options o = Opts();
  o.recycle_log_file_num = 2;
  // The default recovery mode where RocksDB keeps recycling (9.1+); 7.8
  // silently turns it off in every mode but kSkipAnyCorruptedRecords.
  o.wal_recovery_mode =
      engine::compat::kRecyclesWalWithPointInTime
          ? rocksdb::WALRecoveryMode::kPointInTimeRecovery
          : rocksdb::WALRecoveryMode::kSkipAnyCorruptedRecords;
  o.max_total_wal_size = 256 << 10;
  std::map<std::string, std::string> model;
  {
    auto db = Open(o);
    ASSERT_TRUE(db);
    rocksdb::WriteOptions wo;
    wo.sync = true;
    for (int round = 0; round < 5; ++round) {
      for (int i = 0; i < 150; ++i) {
        std::string key = "r" + std::to_string(round) + "-" + std::to_string(i);
        std::string value(400, static_cast<char>('a' + round));
        ASSERT_TRUE(db->Put(wo, key, value).ok());
        model[key] = value;
      }
      // Each flush switches to a new WAL; with recycling, old ones come back.
      ASSERT_TRUE(db->Flush(rocksdb::FlushOptions()).ok());
    }
    // Unflushed writes in the current (recycled) WAL must survive a reopen.
    for (int i = 0; i < 100; ++i) {
      std::string key = "tail-" + std::to_string(i);
      ASSERT_TRUE(db->Put(wo, key, "t" + std::to_string(i)).ok());
      model[key] = "t" + std::to_string(i);
    }
    ASSERT_TRUE(db->Close().ok());
  }
  std::string line = env_.wtrocks()->StatsLine();
  EXPECT_EQ(line.find("wal_files=1 "), std::string::npos)
      << "expected several WAL files: " << line;
  EXPECT_EQ(line.find("wal_reused=0 "), std::string::npos)
      << "expected recycled WAL files: " << line;
  for (int reopen = 0; reopen < 2; ++reopen) {
    auto db = Open(o);
    ASSERT_TRUE(db);
    EXPECT_EQ(Dump(db.get()), model);
    ASSERT_TRUE(db->Close().ok());
  }
}

TEST_P(DbModelTest, ManySyncWriters) {
  SETUP_OR_SKIP();
  constexpr int kThreads = 8, kPerThread = 120;
  {
    auto db = Open(Opts());
    ASSERT_TRUE(db);
    std::atomic<int> failures{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
      threads.emplace_back([&, t] {
        rocksdb::WriteOptions wo;
        wo.sync = true;
        for (int i = 0; i < kPerThread; ++i) {
          std::string key = "t" + std::to_string(t) + "-" + std::to_string(i);
          if (!db->Put(wo, key, std::to_string(i)).ok()) failures++;
        }
      });
    }
    for (auto& th : threads) th.join();
    EXPECT_EQ(failures.load(), 0);
    ASSERT_TRUE(db->Close().ok());
  }
  std::string line = env_.wtrocks()->StatsLine();
  // Every RocksDB Sync on a WAL was a wait for completions: the only
  // fsync-family calls on WALs are wal/'s in-place syncs of appended ranges
  // (the default, inplace=on), none made for a Sync itself.
  EXPECT_EQ(StatsValue(line, "wal_fsync_calls"),
            StatsValue(line, "wal_in_place_syncs"))
      << line;
  auto db = Open(Opts());
  ASSERT_TRUE(db);
  auto got = Dump(db.get());
  EXPECT_EQ(got.size(), static_cast<size_t>(kThreads * kPerThread));
  for (int t = 0; t < kThreads; ++t) {
    for (int i = 0; i < kPerThread; ++i) {
      std::string key = "t" + std::to_string(t) + "-" + std::to_string(i);
      EXPECT_EQ(got[key], std::to_string(i)) << key;
    }
  }
  ASSERT_TRUE(db->Close().ok());
}

std::vector<Param> AllParams() {
  std::vector<Param> out;
  for (ScratchFs fs : {ScratchFs::kXfs, ScratchFs::kExt4}) {
    for (wal::Mode m : AllModes()) out.push_back({fs, m});
  }
  return out;
}

INSTANTIATE_TEST_SUITE_P(Modes, DbModelTest, ::testing::ValuesIn(AllParams()),
                         ParamName);

}  // namespace
}  // namespace wtrocks::testing
