// Copyright (c) wtrocks authors.
//
// A KvDb on the hash memtable (UseHashMemtable, `wtkv --memtable hash`):
// point reads and writes as on the default memtable, and scans still walk
// every key in key order, from the memtable and SST files alike. With a
// prefix extractor installed, RocksDB's default iterator only finds keys of
// the sought key's prefix, so this is what ScanReadOptions must undo.
#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

#include "tests/kv/kv_test_util.h"
#include "tests/lib/scratch_fs.h"

namespace wtrocks::testing {
namespace {

std::vector<std::pair<std::string, std::string>> ScanAll(kv::KvDb* db,
                                                         const std::string& p) {
  std::vector<std::pair<std::string, std::string>> out;
  rocksdb::Status s =
      db->Scan(p, [&](const rocksdb::Slice& k, const rocksdb::Slice& v) {
        out.emplace_back(k.ToString(), v.ToString());
        return true;
      });
  EXPECT_TRUE(s.ok()) << s.ToString();
  return out;
}

std::vector<std::pair<std::string, std::string>> WithPrefix(
    const std::map<std::string, std::string>& m, const std::string& p) {
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& [k, v] : m) {
    if (k.compare(0, p.size(), p) == 0) out.emplace_back(k, v);
  }
  return out;
}

TEST(KvHashMemtableTest, PointOpsAndScansInKeyOrder) {
  WTROCKS_SCRATCH_DIR_OR_SKIP(dir, ScratchFs::kXfs);
  kv::KvOptions o = TestOptions(dir);
  kv::UseHashMemtable(&o.db_options);
  std::unique_ptr<kv::KvDb> db;
  ASSERT_TRUE(kv::KvDb::Open(o, &db).ok());
  ASSERT_STREQ(db->db()->GetOptions().memtable_factory->Name(),
               "HashSkipListRepFactory");

  // Keys of different lengths and shared leading bytes, one longer than the
  // hashed prefix, so that buckets hold more than one key.
  std::map<std::string, std::string> want;
  const std::string longer(kv::kHashMemtablePrefix + 10, 'z');
  auto put = [&](const std::string& k, const std::string& v) {
    ASSERT_TRUE(db->Put(k, v).ok()) << k;
    want[k] = v;
  };
  for (int i = 0; i < 300; i++) {
    put("b" + std::to_string(i), "first" + std::to_string(i));
  }
  put("a", "1");
  put(longer + "2", "long2");
  put(longer + "1", "long1");
  // Half the keys go to an SST; the rest and some overwrites stay in the
  // memtable, so a scan merges the two.
  ASSERT_TRUE(db->db()->Flush(rocksdb::FlushOptions()).ok());
  for (int i = 0; i < 300; i += 3) {
    put("b" + std::to_string(i), "second" + std::to_string(i));
  }
  put("c", "3");
  put("", "empty key");
  ASSERT_TRUE(db->Delete("b7").ok());
  want.erase("b7");

  for (const auto& [k, v] : want) {
    std::string got;
    ASSERT_TRUE(db->Get(k, &got).ok()) << k;
    EXPECT_EQ(got, v) << k;
  }
  std::string gone;
  EXPECT_TRUE(db->Get("b7", &gone).IsNotFound());

  EXPECT_EQ(ScanAll(db.get(), ""), WithPrefix(want, ""));
  EXPECT_EQ(ScanAll(db.get(), "b1"), WithPrefix(want, "b1"));
  EXPECT_EQ(ScanAll(db.get(), "zz"), WithPrefix(want, "zz"));
  EXPECT_TRUE(ScanAll(db.get(), "d").empty());
  ASSERT_TRUE(db->Close().ok());

  // What was acknowledged is in the database, read without the hash
  // memtable or the prefix extractor.
  std::map<std::string, std::string> back = ReadBack(o.path);
  EXPECT_EQ(back, want);
}

}  // namespace
}  // namespace wtrocks::testing
