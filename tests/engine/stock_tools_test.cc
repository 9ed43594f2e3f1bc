// Copyright (c) wtrocks authors.
//
// The stock Debian RocksDB tools against wtrocks: a DB written through the
// plugin is an ordinary RocksDB directory (ldb and sst_dump open it without
// the plugin), and the tools themselves load the plugin with LD_PRELOAD and
// --fs_uri. Needs build/libwtrocks.so and /usr/bin/{ldb,sst_dump,db_bench}.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

#include "tests/engine/engine_test_util.h"
#include "tests/lib/scratch_fs.h"

namespace wtrocks::testing {
namespace {

std::string Plugin() { return BuildDir() + "/libwtrocks.so"; }

#define TOOLS_OR_SKIP()                                                       \
  do {                                                                        \
    for (const char* tool :                                                   \
         {"/usr/bin/ldb", "/usr/bin/sst_dump", "/usr/bin/db_bench"}) {        \
      if (access(tool, X_OK) != 0) {                                          \
        GTEST_SKIP() << tool << " missing: apt-get install rocksdb-tools";    \
      }                                                                       \
    }                                                                         \
    ASSERT_EQ(access(Plugin().c_str(), R_OK), 0)                              \
        << Plugin() << " not built (WTROCKS_BUILD_DIR=" << BuildDir() << ")"; \
  } while (0)

// Writes `n` keys through wtrocks (mode auto) with a flush in the middle, so
// the directory has both SSTs and a live WAL.
std::map<std::string, std::string> WriteThroughWtrocks(const std::string& db,
                                                       int n) {
  WtrocksEnv env = MakeEnv(engine::EngineConfig());
  rocksdb::Options o;
  o.create_if_missing = true;
  o.env = env.env.get();
  rocksdb::DB* raw = nullptr;
  rocksdb::Status s = rocksdb::DB::Open(o, db, &raw);
  EXPECT_TRUE(s.ok()) << s.ToString();
  std::unique_ptr<rocksdb::DB> d(raw);
  std::map<std::string, std::string> model;
  rocksdb::WriteOptions wo;
  wo.sync = true;
  for (int i = 0; i < n; ++i) {
    char key[32];
    snprintf(key, sizeof(key), "key%06d", i);
    std::string value = "value" + std::to_string(i * 7);
    EXPECT_TRUE(d->Put(wo, key, value).ok());
    model[key] = value;
    if (i == n / 2) {
      EXPECT_TRUE(d->Flush(rocksdb::FlushOptions()).ok());
    }
  }
  EXPECT_TRUE(d->Close().ok());
  return model;
}

// Parses `ldb scan` output ("key : value" lines).
// `ldb scan` prints "key : value" up to RocksDB 7.x and "key ==> value"
// from 8.x on (9.10 in the Debian 13 leg).
std::map<std::string, std::string> ParseScan(const std::string& out) {
  std::map<std::string, std::string> kv;
  size_t pos = 0;
  while (pos < out.size()) {
    size_t nl = out.find('\n', pos);
    std::string line = out.substr(pos, nl == std::string::npos ? nl : nl - pos);
    for (const std::string sep : {" : ", " ==> "}) {
      size_t at = line.find(sep);
      if (at == std::string::npos) continue;
      kv[line.substr(0, at)] = line.substr(at + sep.size());
      break;
    }
    if (nl == std::string::npos) break;
    pos = nl + 1;
  }
  return kv;
}

TEST(StockToolsTest, LdbAndSstDumpReadAWtrocksDbWithoutThePlugin) {
  TOOLS_OR_SKIP();
  WTROCKS_SCRATCH_DIR_OR_SKIP(dir, ScratchFs::kXfs);
  auto model = WriteThroughWtrocks(dir + "/db", 2000);
  std::string out;
  ASSERT_EQ(RunCommand("ldb --db=" + dir + "/db scan", &out), 0) << out;
  EXPECT_EQ(ParseScan(out), model);

  int ssts = 0;
  for (const auto& e : std::filesystem::directory_iterator(dir + "/db")) {
    if (e.path().extension() != ".sst") continue;
    ++ssts;
    ASSERT_EQ(
        RunCommand("sst_dump --file=" + e.path().string() + " --command=verify",
                   &out),
        0)
        << out;
    EXPECT_NE(out.find("The file is ok"), std::string::npos) << out;
  }
  EXPECT_GT(ssts, 0);
}

TEST(StockToolsTest, LdbWithPreloadedPluginWritesAPlainDb) {
  TOOLS_OR_SKIP();
  WTROCKS_SCRATCH_DIR_OR_SKIP(dir, ScratchFs::kXfs);
  auto model = WriteThroughWtrocks(dir + "/db", 100);
  std::string pre = "LD_PRELOAD=" + Plugin() + " ";
  std::string out;
  ASSERT_EQ(RunCommand(pre + "ldb --fs_uri=wtrocks://mode=dsync --db=" + dir +
                           "/db put added-by-ldb yes",
                       &out),
            0)
      << out;
  model["added-by-ldb"] = "yes";
  ASSERT_EQ(RunCommand(pre + "ldb --fs_uri=wtrocks:// --db=" + dir + "/db scan",
                       &out),
            0)
      << out;
  EXPECT_EQ(ParseScan(out), model);
  // And without the plugin.
  ASSERT_EQ(RunCommand("ldb --db=" + dir + "/db scan", &out), 0) << out;
  EXPECT_EQ(ParseScan(out), model);
  ASSERT_EQ(RunCommand("ldb --db=" + dir + "/db get added-by-ldb", &out), 0);
  EXPECT_NE(out.find("yes"), std::string::npos) << out;
}

TEST(StockToolsTest, DbBenchFillsyncThroughPluginDumpsStats) {
  TOOLS_OR_SKIP();
  WTROCKS_SCRATCH_DIR_OR_SKIP(dir, ScratchFs::kXfs);
  std::string stats = dir + "/stats.txt";
  std::string out;
  int rc = RunCommand("LD_PRELOAD=" + Plugin() +
                          " db_bench --fs_uri=wtrocks://stats=" + stats +
                          " --db=" + dir +
                          "/db --benchmarks=fillsync "
                          "--num=1000 --threads=2",
                      &out);
  ASSERT_EQ(rc, 0) << out;
  EXPECT_NE(out.find("fillsync"), std::string::npos) << out;
  std::string line = ReadFile(stats);
  ASSERT_EQ(line.rfind("wtrocks-stats ", 0), 0u) << line;
  // 2 threads x 300 synced writes: RocksDB synced the WAL at least once per
  // write group, and without an fdatasync where the mode allows it.
  EXPECT_EQ(line.find(" wal_sync_calls=0 "), std::string::npos) << line;
  // Fresh WALs: every durable append went in place (inplace=on), so every
  // fsync-family call on a WAL was one of those and none was a Sync's own.
  EXPECT_GT(StatsValue(line, "wal_in_place_syncs"), 0) << line;
  EXPECT_EQ(StatsValue(line, "wal_fsync_calls"),
            StatsValue(line, "wal_in_place_syncs"))
      << line;
  // The environment variable works too, appending a second line.
  rc = RunCommand("WTROCKS_STATS=" + stats + " LD_PRELOAD=" + Plugin() +
                      " db_bench --fs_uri=wtrocks://mode=fsync --db=" + dir +
                      "/db2 --benchmarks=fillsync --num=500",
                  &out);
  ASSERT_EQ(rc, 0) << out;
  line = ReadFile(stats);
  EXPECT_NE(line.find("\nwtrocks-stats wal_mode=fsync "), std::string::npos)
      << line;
  // inplace=off: a mode with durable completions makes no fsync-family call
  // on a WAL at all.
  std::string stats3 = dir + "/stats3.txt";
  rc = RunCommand(
      "LD_PRELOAD=" + Plugin() +
          " db_bench --fs_uri=wtrocks://inplace=off,stats=" + stats3 +
          " --db=" + dir + "/db3 --benchmarks=fillsync --num=500",
      &out);
  ASSERT_EQ(rc, 0) << out;
  line = ReadFile(stats3);
  EXPECT_EQ(StatsValue(line, "wal_in_place_syncs"), 0) << line;
  if (line.find("wal_mode=fsync") == std::string::npos) {
    EXPECT_EQ(StatsValue(line, "wal_fsync_calls"), 0) << line;
  }
}

TEST(StockToolsTest, DbBenchWithMalformedUriFailsClearly) {
  TOOLS_OR_SKIP();
  WTROCKS_SCRATCH_DIR_OR_SKIP(dir, ScratchFs::kXfs);
  std::string out;
  int rc = RunCommand("LD_PRELOAD=" + Plugin() +
                          " db_bench --fs_uri=wtrocks://mode=fast --db=" + dir +
                          "/db --benchmarks=fillsync --num=10",
                      &out);
  EXPECT_NE(rc, 0) << out;
  EXPECT_NE(rc, -1) << "db_bench crashed instead of failing: " << out;
  EXPECT_NE(out.find("bad value 'fast' for key 'mode'"), std::string::npos)
      << out;
  rc = RunCommand("LD_PRELOAD=" + Plugin() +
                      " ldb --fs_uri=wtrocks://speed=11 --db=" + dir +
                      "/db scan",
                  &out);
  EXPECT_NE(rc, 0) << out;
  EXPECT_NE(out.find("unknown key 'speed'; valid keys: mode, wal, sst"),
            std::string::npos)
      << out;
}

}  // namespace
}  // namespace wtrocks::testing
