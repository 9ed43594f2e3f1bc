// Copyright (c) wtrocks authors.
//
// engine/rocksdb_compat.h states how the RocksDB release we are built
// against behaves; these tests ask that release, so a wrong constant (or a
// new RocksDB that changed again) fails here rather than in a durability
// argument.
#include <gtest/gtest.h>

#include "engine/rocksdb_compat.h"
#include "rocksdb/version.h"
#include "tests/engine/engine_test_util.h"
#include "tests/lib/scratch_fs.h"

namespace wtrocks::testing {
namespace {

TEST(RocksdbCompat, VersionIsOneWeSupport) {
  std::string v = rocksdb::GetRocksVersionAsString();
  std::printf("built against RocksDB %s\n", v.c_str());
  EXPECT_EQ(engine::compat::kRocksdbMajor, ROCKSDB_MAJOR);
  // The library we run with is the one whose headers we compiled against.
  EXPECT_EQ(
      v.substr(0, v.find('.', v.find('.') + 1)),
      std::to_string(ROCKSDB_MAJOR) + "." + std::to_string(ROCKSDB_MINOR));
}

constexpr rocksdb::WALRecoveryMode kAllRecoveryModes[] = {
    rocksdb::WALRecoveryMode::kTolerateCorruptedTailRecords,
    rocksdb::WALRecoveryMode::kAbsoluteConsistency,
    rocksdb::WALRecoveryMode::kPointInTimeRecovery,
    rocksdb::WALRecoveryMode::kSkipAnyCorruptedRecords};

// RocksDB sanitizes recycle_log_file_num at DB::Open; the sanitized value is
// what GetDBOptions() reports. Opens a new DB at `path` with `o` and returns
// it (through *out, so that gtest's ASSERTs can stop the caller).
void RecycleAfterOpen(const rocksdb::Options& o, const std::string& path,
                      size_t* out) {
  rocksdb::DB* raw = nullptr;
  rocksdb::Status s = rocksdb::DB::Open(o, path, &raw);
  ASSERT_TRUE(s.ok()) << s.ToString();
  std::unique_ptr<rocksdb::DB> db(raw);
  *out = db->GetDBOptions().recycle_log_file_num;
  ASSERT_TRUE(db->Close().ok());
}

TEST(RocksdbCompat, RecycleRuleMatchesRocksdb) {
  WTROCKS_SCRATCH_DIR_OR_SKIP(dir, ScratchFs::kTmpfs);
  WtrocksEnv env = MakeEnv(engine::EngineConfig());
  int n = 0;
  for (auto mode : kAllRecoveryModes) {
    rocksdb::Options o = SmallOptions(env.env.get());
    o.recycle_log_file_num = 2;
    o.wal_recovery_mode = mode;
    size_t kept = 0;
    ASSERT_NO_FATAL_FAILURE(RecycleAfterOpen(
        o, dir + "/compat-recycle-" + std::to_string(n++), &kept));
    EXPECT_EQ(kept, engine::compat::RecyclesWal(mode) ? 2u : 0u)
        << "wal_recovery_mode " << static_cast<int>(mode);
  }
}

// EnableWalRecycling picks a mode RocksDB keeps recycling in, from every
// starting mode, and leaves the other options alone.
TEST(RocksdbCompat, EnableWalRecyclingKeepsRecycling) {
  WTROCKS_SCRATCH_DIR_OR_SKIP(dir, ScratchFs::kTmpfs);
  WtrocksEnv env = MakeEnv(engine::EngineConfig());
  int n = 0;
  for (auto mode : kAllRecoveryModes) {
    rocksdb::Options o = SmallOptions(env.env.get());
    o.wal_recovery_mode = mode;
    const size_t write_buffer = o.write_buffer_size;
    rocksdb::WALRecoveryMode chosen = engine::compat::EnableWalRecycling(&o, 3);
    EXPECT_EQ(chosen, o.wal_recovery_mode);
    EXPECT_EQ(o.write_buffer_size, write_buffer);
    if (engine::compat::RecyclesWal(mode)) {
      EXPECT_EQ(chosen, mode);
    }
    size_t kept = 0;
    ASSERT_NO_FATAL_FAILURE(RecycleAfterOpen(
        o, dir + "/compat-enable-" + std::to_string(n++), &kept));
    EXPECT_EQ(kept, 3u) << "from " << engine::compat::WalRecoveryModeName(mode)
                        << " to "
                        << engine::compat::WalRecoveryModeName(chosen);
  }
  EXPECT_STREQ(engine::compat::WalRecoveryModeName(
                   rocksdb::WALRecoveryMode::kSkipAnyCorruptedRecords),
               "skip_any_corrupted_records");
}

}  // namespace
}  // namespace wtrocks::testing
