// Copyright (c) wtrocks authors.
//
// RocksDB (7.8.3 and 9.10) must recover from a WAL that ends in a pre-zeroed
// tail, in every wal_recovery_mode: that is what a power cut leaves behind when
// wal/ keeps zero-filled space ahead of the WAL's end. The crash image is taken
// the honest way: the DB directory is copied while the DB is still open and
// its WAL still carries the zero tail, then the copy is opened by stock
// RocksDB (default FileSystem, no plugin).
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>

#include "engine/rocksdb_compat.h"
#include "tests/engine/engine_test_util.h"
#include "tests/lib/scratch_fs.h"

namespace wtrocks::testing {
namespace {

namespace fs = std::filesystem;

struct Param {
  rocksdb::WALRecoveryMode recovery;
  int recycle;
};

std::string Name(const ::testing::TestParamInfo<Param>& info) {
  const char* names[] = {"TolerateCorruptedTail", "AbsoluteConsistency",
                         "PointInTime", "SkipAnyCorrupted"};
  return std::string(names[static_cast<int>(info.param.recovery)]) +
         (info.param.recycle ? "_Recycle" : "");
}

class ZeroTailRecoveryTest : public ::testing::TestWithParam<Param> {};

std::string NewestWal(const std::string& dir) {
  std::string best;
  for (const auto& e : fs::directory_iterator(dir)) {
    std::string n = e.path().filename();
    if (n.size() > 4 && n.substr(n.size() - 4) == ".log" && n > best) best = n;
  }
  return best;
}

TEST_P(ZeroTailRecoveryTest, CrashImageWithZeroTailRecovers) {
  WTROCKS_SCRATCH_DIR_OR_SKIP(dir, ScratchFs::kXfs);
  engine::EngineConfig config;
  config.prezero_bytes = 1 << 20;
  WtrocksEnv env = MakeEnv(config);
  rocksdb::Options o = SmallOptions(env.env.get());
  o.write_buffer_size = 4 << 20;  // keep everything in the WAL
  o.recycle_log_file_num = GetParam().recycle;
  o.wal_recovery_mode = GetParam().recovery;

  rocksdb::DB* raw = nullptr;
  ASSERT_TRUE(rocksdb::DB::Open(o, dir + "/db", &raw).ok());
  std::unique_ptr<rocksdb::DB> db(raw);
  rocksdb::WriteOptions wo;
  wo.sync = true;
  if (GetParam().recycle) {
    // Flushes retire WALs into the recycle list; the next ones are reused.
    for (int r = 0; r < 3; ++r) {
      ASSERT_TRUE(db->Put(wo, "pre" + std::to_string(r), "x").ok());
      ASSERT_TRUE(db->Flush(rocksdb::FlushOptions()).ok());
    }
  }
  std::map<std::string, std::string> model = Dump(db.get());
  for (int i = 0; i < 500; ++i) {
    std::string key = "key" + std::to_string(i);
    std::string value = std::string(80, 'a' + i % 26) + std::to_string(i);
    ASSERT_TRUE(db->Put(wo, key, value).ok());
    model[key] = value;
  }

  // The crash image: every file as it is on disk right now.
  std::string wal = NewestWal(dir + "/db");
  ASSERT_FALSE(wal.empty());
  uint64_t logical = 0;
  ASSERT_TRUE(env.fs
                  ->GetFileSize(dir + "/db/" + wal, rocksdb::IOOptions(),
                                &logical, nullptr)
                  .ok());
  fs::copy(dir + "/db", dir + "/crash", fs::copy_options::recursive);
  std::string image = ReadFile(dir + "/crash/" + wal);
  ASSERT_GE(image.size(), logical);
  if (!GetParam().recycle) {
    // The point of the test: the image really has a zero tail.
    ASSERT_GT(image.size(), logical) << "no pre-zeroed tail in " << wal;
    EXPECT_EQ(image.find_first_not_of('\0', logical), std::string::npos)
        << "tail past the last record is not all zeros";
  }
  if (GetParam().recycle) {
    std::string line = env.wtrocks()->StatsLine();
    EXPECT_EQ(line.find(" wal_reused=0 "), std::string::npos)
        << "the WAL should have been a recycled one: " << line;
  }
  ASSERT_TRUE(db->Close().ok());
  db.reset();

  // Stock RocksDB, default FileSystem, the mode under test.
  rocksdb::Options plain = SmallOptions(rocksdb::Env::Default());
  plain.recycle_log_file_num = GetParam().recycle;
  plain.wal_recovery_mode = GetParam().recovery;
  rocksdb::Status s = rocksdb::DB::Open(plain, dir + "/crash", &raw);
  ASSERT_TRUE(s.ok()) << s.ToString();
  db.reset(raw);
  EXPECT_EQ(Dump(db.get()), model);
  // Writing after recovery works and survives another reopen.
  ASSERT_TRUE(db->Put(wo, "after", "crash").ok());
  model["after"] = "crash";
  ASSERT_TRUE(db->Close().ok());
  db.reset();
  ASSERT_TRUE(rocksdb::DB::Open(plain, dir + "/crash", &raw).ok());
  db.reset(raw);
  EXPECT_EQ(Dump(db.get()), model);
  ASSERT_TRUE(db->Close().ok());
}

std::vector<Param> Params() {
  std::vector<Param> out;
  for (auto m : {rocksdb::WALRecoveryMode::kTolerateCorruptedTailRecords,
                 rocksdb::WALRecoveryMode::kAbsoluteConsistency,
                 rocksdb::WALRecoveryMode::kPointInTimeRecovery,
                 rocksdb::WALRecoveryMode::kSkipAnyCorruptedRecords}) {
    out.push_back({m, 0});
  }
  // Recycling only where RocksDB keeps it (engine/rocksdb_compat.h): 7.8
  // turns it off in every mode but kSkipAnyCorruptedRecords, 9.1+ also keeps
  // it in kPointInTimeRecovery, the default.
  for (auto m : {rocksdb::WALRecoveryMode::kPointInTimeRecovery,
                 rocksdb::WALRecoveryMode::kSkipAnyCorruptedRecords}) {
    if (engine::compat::RecyclesWal(m)) out.push_back({m, 2});
  }
  return out;
}

INSTANTIATE_TEST_SUITE_P(AllRecoveryModes, ZeroTailRecoveryTest,
                         ::testing::ValuesIn(Params()), Name);

}  // namespace
}  // namespace wtrocks::testing
