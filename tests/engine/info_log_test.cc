// Copyright (c) wtrocks authors.
//
// The info LOG a WtrocksFileSystem hands RocksDB (engine/info_log.h) in
// the roles RocksDB gives it. The full-disk case is in errors_test.cc (it
// needs the small scratch filesystem to itself).
#include <dirent.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "tests/engine/engine_test_util.h"
#include "tests/lib/scratch_fs.h"

namespace wtrocks::testing {
namespace {

std::vector<std::string> Names(const std::string& dir) {
  std::vector<std::string> out;
  if (DIR* d = opendir(dir.c_str())) {
    while (dirent* e = readdir(d)) out.push_back(e->d_name);
    closedir(d);
  }
  return out;
}

// RocksDB's AutoRollLogger (max_log_file_size) asks the Logger for the
// size it wrote and starts a new LOG past the limit, keeping
// keep_log_file_num old ones: that must work with wtrocks' Logger too,
// and the current LOG must stay near the limit.
TEST(InfoLogTest, RocksDbRollsItBySize) {
  WTROCKS_SCRATCH_DIR_OR_SKIP(dir, ScratchFs::kXfs);
  WtrocksEnv env = MakeEnv(engine::EngineConfig());
  rocksdb::Options o = SmallOptions(env.env.get());
  o.max_log_file_size = 16 << 10;
  o.keep_log_file_num = 3;
  o.info_log_level = rocksdb::InfoLogLevel::DEBUG_LEVEL;
  const std::string db_dir = dir + "/db";
  rocksdb::DB* raw = nullptr;
  ASSERT_TRUE(rocksdb::DB::Open(o, db_dir, &raw).ok());
  std::unique_ptr<rocksdb::DB> db(raw);
  // Flushes and compactions log plenty at DEBUG.
  std::string value(1000, 'v');
  for (int i = 0; i < 3000; ++i) {
    ASSERT_TRUE(
        db->Put(rocksdb::WriteOptions(), "k" + std::to_string(i % 500), value)
            .ok());
  }
  ASSERT_TRUE(db->Flush(rocksdb::FlushOptions()).ok());
  ASSERT_TRUE(db->Close().ok());
  db.reset();
  int old_logs = 0;
  for (const std::string& n : Names(db_dir)) {
    if (n.rfind("LOG.old.", 0) == 0) ++old_logs;
  }
  EXPECT_GE(old_logs, 1) << "the LOG never rolled";
  EXPECT_LE(old_logs, 3) << "keep_log_file_num not honoured";
  std::string current = ReadFile(db_dir + "/LOG");
  EXPECT_FALSE(current.empty());
  // One line may go past the limit before the roll.
  EXPECT_LT(current.size(), 2u * (16 << 10)) << "LOG grew past its limit";
  // RocksDB's header of a new LOG is there, and lines start as RocksDB's.
  EXPECT_NE(current.find("RocksDB version"), std::string::npos);
  EXPECT_EQ(current.find('/'), 4u) << current.substr(0, 80);
}

}  // namespace
}  // namespace wtrocks::testing
