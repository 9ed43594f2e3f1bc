// Copyright (c) wtrocks authors.
#include "tests/engine/engine_test_util.h"

#include <stdio.h>
#include <sys/wait.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "rocksdb/iterator.h"
#include "tests/lib/scratch_fs.h"
#include "wal/probe.h"

namespace wtrocks::testing {

std::vector<wal::Mode> AllModes() {
  std::vector<wal::Mode> out;
  for (wal::Mode m : wal::kConcreteModes) {
    if (m != wal::Mode::kDirect) out.push_back(m);
  }
  return out;
}

bool AppendMerge::Merge(const rocksdb::Slice& /*key*/,
                        const rocksdb::Slice* existing,
                        const rocksdb::Slice& value, std::string* new_value,
                        rocksdb::Logger* /*logger*/) const {
  *new_value = existing == nullptr
                   ? value.ToString()
                   : existing->ToString() + "," + value.ToString();
  return true;
}

WtrocksEnv MakeEnv(engine::EngineConfig config) {
  WtrocksEnv e;
  rocksdb::Status s =
      engine::WtrocksFileSystem::Create(std::move(config), &e.fs);
  if (!s.ok()) abort();
  e.env = rocksdb::NewCompositeEnv(e.fs);
  return e;
}

rocksdb::Options SmallOptions(rocksdb::Env* env) {
  rocksdb::Options o;
  o.create_if_missing = true;
  o.env = env;
  o.write_buffer_size = 64 << 10;
  o.max_write_buffer_number = 4;
  o.target_file_size_base = 64 << 10;
  o.max_bytes_for_level_base = 256 << 10;
  o.level0_file_num_compaction_trigger = 2;
  o.merge_operator = std::make_shared<AppendMerge>();
  return o;
}

void LiveWalDbTest::SetUp() {
  std::string reason;
  dir_ = ScratchDir(ScratchFs::kXfs, &reason);
  if (dir_.empty()) GTEST_SKIP() << reason;
  WTROCKS_MODE_OR_SKIP(dir_, GetParam());
  engine::EngineConfig config;
  config.wal_mode = GetParam();
  env_ = MakeEnv(config);
}

void LiveWalDbTest::TearDown() {
  if (!dir_.empty()) RemoveTree(dir_);
}

rocksdb::Options LiveWalDbTest::Opts() const {
  rocksdb::Options o = SmallOptions(env_.env.get());
  o.write_buffer_size = 8 << 20;
  return o;
}

std::unique_ptr<rocksdb::DB> LiveWalDbTest::OpenDb() {
  rocksdb::DB* raw = nullptr;
  rocksdb::Status s = rocksdb::DB::Open(Opts(), dir_ + "/db", &raw);
  EXPECT_TRUE(s.ok()) << s.ToString();
  return std::unique_ptr<rocksdb::DB>(raw);
}

std::map<std::string, std::string> Dump(rocksdb::DB* db,
                                        rocksdb::ColumnFamilyHandle* cf) {
  std::map<std::string, std::string> out;
  std::unique_ptr<rocksdb::Iterator> it(
      cf ? db->NewIterator(rocksdb::ReadOptions(), cf)
         : db->NewIterator(rocksdb::ReadOptions()));
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    out[it->key().ToString()] = it->value().ToString();
  }
  if (!it->status().ok()) out["<iterator error>"] = it->status().ToString();
  return out;
}

std::string BuildDir() {
  const char* d = getenv("WTROCKS_BUILD_DIR");
  if (d != nullptr && *d != '\0') return d;
  // Test binaries and libwtrocks.so both land at the top of the build tree,
  // so the binary's own directory is the fallback when ctest did not pass
  // the variable.
  std::error_code ec;
  auto exe = std::filesystem::read_symlink("/proc/self/exe", ec);
  return ec ? "" : exe.parent_path().string();
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

int64_t StatsValue(const std::string& line, const std::string& key) {
  size_t at = line.find(" " + key + "=");
  if (at == std::string::npos) return -1;
  return std::stoll(line.substr(at + key.size() + 2));
}

}  // namespace wtrocks::testing
