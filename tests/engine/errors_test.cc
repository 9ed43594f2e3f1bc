// Copyright (c) wtrocks authors.
//
// Failures through real RocksDB: a mode the filesystem or kernel lacks, a
// real ENOSPC on a 16 MiB loop ext4, and an EIO injected at a WAL write's
// completion (the one fault a real device does not produce on demand). In
// each case RocksDB must return an error, and the DB must reopen with every
// write that was acknowledged before it.
#include <errno.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>

#include "tests/engine/engine_test_util.h"
#include "tests/lib/scratch_fs.h"
#include "wal/probe.h"

namespace wtrocks::testing {
namespace {

TEST(ErrorsTest, UnsupportedModeFailsOpenWithTheProbeReason) {
  // Find a (filesystem, mode) pair this machine cannot do: writethrough on a
  // stock kernel.
  std::string dir, reason;
  wal::Mode mode = wal::Mode::kAuto;
  for (ScratchFs f : {ScratchFs::kXfs, ScratchFs::kExt4, ScratchFs::kTmpfs}) {
    std::string skip;
    std::string d = ScratchDir(f, &skip);
    if (d.empty()) continue;
    for (wal::Mode m : {wal::Mode::kWriteThrough}) {
      std::string r = ModeUnsupportedReason(d, m);
      if (!r.empty() && dir.empty()) {
        dir = d, mode = m, reason = r;
      }
    }
  }
  if (dir.empty())
    GTEST_SKIP() << "every mode works on every scratch filesystem";
  engine::EngineConfig config;
  config.wal_mode = mode;
  WtrocksEnv env = MakeEnv(config);
  rocksdb::Options o = SmallOptions(env.env.get());
  rocksdb::DB* raw = nullptr;
  rocksdb::Status s = rocksdb::DB::Open(o, dir + "/db", &raw);
  ASSERT_FALSE(s.ok());
  delete raw;
  EXPECT_TRUE(s.IsNotSupported()) << s.ToString();
  EXPECT_NE(s.ToString().find(std::string("mode ") + wal::ModeName(mode)),
            std::string::npos)
      << s.ToString();
  EXPECT_NE(s.ToString().find(".log"), std::string::npos) << s.ToString();
  EXPECT_NE(s.ToString().find(reason), std::string::npos)
      << "error should carry the probe's reason '" << reason
      << "': " << s.ToString();
}

// Reopens with the default FileSystem and checks every acknowledged key.
void ExpectAllAcked(const std::string& db,
                    const std::map<std::string, std::string>& acked) {
  rocksdb::Options o = SmallOptions(rocksdb::Env::Default());
  rocksdb::DB* raw = nullptr;
  rocksdb::Status s = rocksdb::DB::Open(o, db, &raw);
  ASSERT_TRUE(s.ok()) << s.ToString();
  std::unique_ptr<rocksdb::DB> d(raw);
  auto got = Dump(d.get());
  for (const auto& [k, v] : acked) {
    auto it = got.find(k);
    ASSERT_TRUE(it != got.end()) << "acknowledged key lost: " << k;
    EXPECT_EQ(it->second, v) << k;
  }
  ASSERT_TRUE(d->Close().ok());
}

// Takes the space left on the filesystem holding `dir` with `filler`: all
// but `leave` bytes (fallocate), or with `leave` 0 every block (fallocate,
// then writes for what the filesystem's own metadata left over).
void FillUp(const std::string& dir, const std::string& filler,
            long long leave) {
  std::string out;
  RunCommand("df -B1 --output=avail " + dir + " | tail -1", &out);
  long long avail = atoll(out.c_str());
  ASSERT_GT(avail, leave + (2ll << 20)) << out;
  int fd = open(filler.c_str(), O_CREAT | O_WRONLY, 0644);
  ASSERT_GE(fd, 0);
  ASSERT_EQ(posix_fallocate(fd, 0, avail - std::max(leave, 1ll << 20)), 0);
  if (leave == 0) {
    std::string block(4096, 'f');
    lseek(fd, 0, SEEK_END);
    while (write(fd, block.data(), block.size()) > 0) {
    }
    ASSERT_EQ(errno, ENOSPC);
  }
  close(fd);
}

TEST(ErrorsTest, EnospcOnSmallFilesystemFailsWritesAndLosesNothingAcked) {
  WTROCKS_SCRATCH_DIR_OR_SKIP(dir, ScratchFs::kSmall);
  // Leave a few MiB: the DB runs out while writing its WAL. Enough that
  // DB::Open itself fits even when the MANIFEST's 4 MiB preallocation
  // (manifest_preallocation_size) wins the race for space against the WAL's
  // 1 MiB preallocation: with 4 MiB left, Open failed now and then.
  std::string filler = dir + "/filler";
  // Free the space whatever happens, so a failure here cannot turn into
  // ENOSPC for the next test that uses this filesystem.
  std::unique_ptr<const char, void (*)(const char*)> cleanup(
      filler.c_str(), [](const char* p) { unlink(p); });
  ASSERT_NO_FATAL_FAILURE(FillUp(dir, filler, 8ll << 20));
  std::map<std::string, std::string> acked;
  rocksdb::Status first_error;
  {
    engine::EngineConfig config;
    WtrocksEnv env = MakeEnv(config);
    rocksdb::Options o = SmallOptions(env.env.get());
    o.write_buffer_size = 64 << 20;  // all in the WAL: no flush competes
    // The info LOG fills the disk too (InfoLogSurvivesAFullDisk).
    rocksdb::DB* raw = nullptr;
    rocksdb::Status s = rocksdb::DB::Open(o, dir + "/db", &raw);
    ASSERT_TRUE(s.ok()) << s.ToString();
    std::unique_ptr<rocksdb::DB> db(raw);
    rocksdb::WriteOptions wo;
    wo.sync = true;
    std::string value(4000, 'v');
    for (int i = 0; i < 5000; ++i) {
      std::string key = "key" + std::to_string(i);
      s = db->Put(wo, key, value);
      if (!s.ok()) {
        first_error = s;
        break;
      }
      acked[key] = value;
    }
    ASSERT_FALSE(first_error.ok()) << "4 MiB free should not hold 20 MB";
    EXPECT_TRUE(first_error.IsNoSpace() || first_error.IsIOError())
        << first_error.ToString();
    EXPECT_NE(first_error.ToString().find("ENOSPC"), std::string::npos)
        << first_error.ToString();
    // The error is sticky: RocksDB refuses later writes too.
    EXPECT_FALSE(db->Put(wo, "after-error", "x").ok());
    db->Close().PermitUncheckedError();
  }
  ASSERT_GT(acked.size(), 10u);
  ASSERT_EQ(unlink(filler.c_str()), 0);
  ExpectAllAcked(dir + "/db", acked);
  // The small filesystem is shared by the ENOSPC tests of one ctest run.
  testing::RemoveTree(dir);
}

// The info LOG on a full disk. RocksDB's own Logger (EnvLogger) writes
// through a WritableFileWriter, which refuses every write after a failed
// one and, in an assert-enabled librocksdb such as Debian 12's 7.8.3,
// aborts the process at the next line: before the FileSystem had its own
// Logger, this test died there ("Assertion `sync_without_flush_called_'
// failed"), and so did `wtkv serve` on a full disk. Now lines that cannot
// be written are counted, and the first line written once there is room
// again says so.
TEST(ErrorsTest, InfoLogSurvivesAFullDisk) {
  WTROCKS_SCRATCH_DIR_OR_SKIP(dir, ScratchFs::kSmall);
  std::string filler = dir + "/filler";
  std::unique_ptr<const char, void (*)(const char*)> cleanup(
      filler.c_str(), [](const char* p) { unlink(p); });
  WtrocksEnv env = MakeEnv(engine::EngineConfig());
  std::shared_ptr<rocksdb::Logger> log;
  const std::string path = dir + "/LOG";
  ASSERT_TRUE(
      env.fs->NewLogger(path, rocksdb::IOOptions(), &log, nullptr).ok());
  log->SetInfoLogLevel(rocksdb::InfoLogLevel::INFO_LEVEL);  // as RocksDB does
  rocksdb::Log(rocksdb::InfoLogLevel::INFO_LEVEL, log, "before: %d", 1);
  log->Flush();
  ASSERT_NO_FATAL_FAILURE(FillUp(dir, filler, 0));
  // More than any Logger buffers (EnvLogger: 1 MiB), so writes must fail.
  std::string payload(1000, 'x');
  for (int i = 0; i < 3000; ++i) {
    rocksdb::Log(rocksdb::InfoLogLevel::WARN_LEVEL, log, "full %d %s", i,
                 payload.c_str());
  }
  log->Flush();
  ASSERT_EQ(unlink(filler.c_str()), 0);
  rocksdb::Log(rocksdb::InfoLogLevel::INFO_LEVEL, log, "after: %s", "room");
  log->Flush();
  const size_t reported = log->GetLogFileSize();
  ASSERT_TRUE(log->Close().ok());
  std::string text = ReadFile(path);
  EXPECT_NE(text.find("before: 1\n"), std::string::npos) << text.size();
  EXPECT_NE(text.find("after: room\n"), std::string::npos)
      << "no line written once there was room again";
  EXPECT_NE(text.find("could not be written"), std::string::npos)
      << "the lost lines are not reported";
  EXPECT_NE(text.find("No space left on device"), std::string::npos);
  // Lines start as RocksDB's do: date-time, microseconds, thread.
  EXPECT_EQ(text.find('/'), 4u) << text.substr(0, 80);
  EXPECT_EQ(text.substr(10, 1), "-") << text.substr(0, 80);
  EXPECT_EQ(text.substr(19, 1), ".") << text.substr(0, 80);
  // What AutoRollLogger reads to roll the LOG: what the file holds (a line
  // torn by ENOSPC may add a partial line to the file, never remove one).
  EXPECT_LE(reported, text.size());
  EXPECT_GT(reported, 0u);
  testing::RemoveTree(dir);
}

TEST(ErrorsTest, EioAtWalCompletionFailsTheWriteAndLosesNothingAcked) {
  WTROCKS_SCRATCH_DIR_OR_SKIP(dir, ScratchFs::kXfs);
  engine::EngineConfig config;
  config.wal_mode = wal::Mode::kAuto;
  config.prealloc_bytes = 0;
  std::atomic<bool> armed{false};
  std::atomic<int> injected{0};
  config.wal_completion_fault = [&](uint64_t, uint64_t, int res) {
    if (armed.load() && injected.fetch_add(1) == 0) return -EIO;
    return res;
  };
  std::map<std::string, std::string> acked;
  {
    WtrocksEnv env = MakeEnv(config);
    rocksdb::Options o = SmallOptions(env.env.get());
    o.write_buffer_size = 64 << 20;
    rocksdb::DB* raw = nullptr;
    rocksdb::Status s = rocksdb::DB::Open(o, dir + "/db", &raw);
    ASSERT_TRUE(s.ok()) << s.ToString();
    std::unique_ptr<rocksdb::DB> db(raw);
    rocksdb::WriteOptions wo;
    wo.sync = true;
    for (int i = 0; i < 200; ++i) {
      std::string key = "key" + std::to_string(i);
      ASSERT_TRUE(db->Put(wo, key, "v" + std::to_string(i)).ok());
      acked[key] = "v" + std::to_string(i);
    }
    // The next WAL write completes with EIO: exactly the write that
    // depended on it must fail.
    armed = true;
    s = db->Put(wo, "doomed", "x");
    EXPECT_EQ(injected.load(), 1);
    ASSERT_FALSE(s.ok());
    EXPECT_TRUE(s.IsIOError()) << s.ToString();
    EXPECT_NE(s.ToString().find("EIO"), std::string::npos) << s.ToString();
    EXPECT_NE(s.ToString().find(".log"), std::string::npos) << s.ToString();
    // RocksDB has set its background error: later writes fail too, and no
    // retry turned the failed write into a success.
    EXPECT_FALSE(db->Put(wo, "later", "y").ok());
    db->Close().PermitUncheckedError();
  }
  ExpectAllAcked(dir + "/db", acked);
}

// DB::Resume after a WAL write error is refused, clearly: the failed write
// is never retried, so the error stays, and its message says to reopen.
// Reopening recovers every acknowledged write and the DB takes writes again.
// Failed before: Resume returned the bare sticky error ("IO error: wtrocks:
// Flush .../000003.log: write of ... (EIO)"), with no way out named.
TEST(ErrorsTest, ResumeAfterWalErrorIsRefusedAndReopenRecovers) {
  WTROCKS_SCRATCH_DIR_OR_SKIP(dir, ScratchFs::kXfs);
  engine::EngineConfig config;
  std::atomic<bool> armed{false};
  config.wal_completion_fault = [&](uint64_t, uint64_t, int res) {
    return armed.load() ? -EIO : res;
  };
  std::map<std::string, std::string> acked;
  {
    WtrocksEnv env = MakeEnv(config);
    rocksdb::Options o = SmallOptions(env.env.get());
    o.write_buffer_size = 64 << 20;
    rocksdb::DB* raw = nullptr;
    rocksdb::Status s = rocksdb::DB::Open(o, dir + "/db", &raw);
    ASSERT_TRUE(s.ok()) << s.ToString();
    std::unique_ptr<rocksdb::DB> db(raw);
    rocksdb::WriteOptions wo;
    wo.sync = true;
    for (int i = 0; i < 50; ++i) {
      std::string key = "key" + std::to_string(i);
      ASSERT_TRUE(db->Put(wo, key, "v").ok());
      acked[key] = "v";
    }
    armed = true;
    ASSERT_FALSE(db->Put(wo, "doomed", "x").ok());
    armed = false;  // the device is fine again; the file's error is not
    s = db->Resume();
    EXPECT_FALSE(s.ok()) << "Resume cleared a WAL write error";
    EXPECT_NE(s.ToString().find("close and reopen the DB"), std::string::npos)
        << s.ToString();
    EXPECT_FALSE(db->Put(wo, "later", "y").ok());
    db->Close().PermitUncheckedError();
  }
  ExpectAllAcked(dir + "/db", acked);
  WtrocksEnv env = MakeEnv(engine::EngineConfig());
  rocksdb::Options o = SmallOptions(env.env.get());
  rocksdb::DB* raw = nullptr;
  ASSERT_TRUE(rocksdb::DB::Open(o, dir + "/db", &raw).ok());
  std::unique_ptr<rocksdb::DB> db(raw);
  rocksdb::WriteOptions wo;
  wo.sync = true;
  EXPECT_TRUE(db->Put(wo, "after", "reopen").ok());
  ASSERT_TRUE(db->Close().ok());
}

}  // namespace
}  // namespace wtrocks::testing
