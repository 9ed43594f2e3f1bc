// Copyright (c) wtrocks authors.
#include "tests/kv/kv_test_util.h"

#include <gtest/gtest.h>
#include <stdio.h>
#include <sys/wait.h>

#include <cstdlib>

#include "rocksdb/db.h"
#include "rocksdb/iterator.h"

namespace wtrocks::testing {

kv::KvOptions TestOptions(const std::string& dir) {
  kv::KvOptions o;
  o.path = dir + "/db";
  o.db_options.create_if_missing = true;
  return o;
}

std::map<std::string, std::string> ReadBack(const std::string& path) {
  std::map<std::string, std::string> out;
  rocksdb::Options o;
  rocksdb::DB* raw = nullptr;
  rocksdb::Status s = rocksdb::DB::Open(o, path, &raw);
  if (!s.ok()) {
    ADD_FAILURE() << "reopen " << path << ": " << s.ToString();
    return out;
  }
  std::unique_ptr<rocksdb::DB> db(raw);
  std::unique_ptr<rocksdb::Iterator> it(
      db->NewIterator(rocksdb::ReadOptions()));
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    out[it->key().ToString()] = it->value().ToString();
  }
  EXPECT_TRUE(it->status().ok()) << it->status().ToString();
  it.reset();
  EXPECT_TRUE(db->Close().ok());
  return out;
}

std::string WtkvPath() {
  const char* b = getenv("WTROCKS_BUILD_DIR");
  return std::string(b ? b : ".") + "/wtkv";
}

}  // namespace wtrocks::testing
