// Copyright (c) wtrocks authors.
//
// Shared pieces of the engine tests: opening a real RocksDB on a scratch
// filesystem through a real WtrocksFileSystem, an in-memory model to compare
// against, and running the stock RocksDB tools.
#pragma once

#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "engine/wtrocks_fs.h"
#include "rocksdb/db.h"
#include "rocksdb/env.h"
#include "rocksdb/merge_operator.h"
#include "tests/lib/file_util.h"
#include "tests/lib/mode_skip.h"
#include "wal/mode.h"

namespace wtrocks::testing {

// The concrete modes the engine offers for RocksDB files (every mode but
// direct, which ValidateConfig refuses), as test parameters.
std::vector<wal::Mode> AllModes();

// Appends ",<operand>" (or sets it when the key is absent): a merge whose
// result depends on order, so a lost or reordered operand shows.
class AppendMerge : public rocksdb::AssociativeMergeOperator {
 public:
  bool Merge(const rocksdb::Slice& key, const rocksdb::Slice* existing,
             const rocksdb::Slice& value, std::string* new_value,
             rocksdb::Logger* logger) const override;
  const char* Name() const override { return "WtrocksAppendMerge"; }
};

// An Env whose FileSystem is a WtrocksFileSystem built from `config`.
struct WtrocksEnv {
  std::shared_ptr<rocksdb::FileSystem> fs;
  std::unique_ptr<rocksdb::Env> env;
  engine::WtrocksFileSystem* wtrocks() const {
    return engine::WtrocksFileSystem::Find(fs.get());
  }
};
WtrocksEnv MakeEnv(engine::EngineConfig config);

// Options that flush and compact often enough to exercise SST writes with
// small data sets.
rocksdb::Options SmallOptions(rocksdb::Env* env);

// One test per wal/ mode (the parameter) on a fresh scratch XFS directory,
// skipped with the reason when there is none or the mode does not work
// there, with a WtrocksFileSystem of that mode and a RocksDB whose memtable
// is large enough that every write of the test stays in the live WAL.
class LiveWalDbTest : public ::testing::TestWithParam<wal::Mode> {
 protected:
  void SetUp() override;
  void TearDown() override;
  // SmallOptions on env_ with an 8 MiB memtable.
  rocksdb::Options Opts() const;
  // The database at dir_/db with Opts(); null (and a failure) if it fails.
  std::unique_ptr<rocksdb::DB> OpenDb();

  std::string dir_;
  WtrocksEnv env_;
};

// Every key/value of the default column family (or `cf`).
std::map<std::string, std::string> Dump(
    rocksdb::DB* db, rocksdb::ColumnFamilyHandle* cf = nullptr);

// Directory holding libwtrocks.so: WTROCKS_BUILD_DIR, else the directory
// of the running test binary.
std::string BuildDir();

// Reads a whole file ("" if it cannot).
std::string ReadFile(const std::string& path);

// The number after " key=" in a wtrocks-stats line; -1 when absent.
int64_t StatsValue(const std::string& line, const std::string& key);

}  // namespace wtrocks::testing
