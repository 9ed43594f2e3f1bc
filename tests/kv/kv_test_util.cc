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

wal::CompletionFault CompletionGate::Hook() {
  return [this](uint64_t, uint64_t, int res) {
    std::unique_lock<std::mutex> lock(mu_);
    if (armed_ && !released_) {
      held_ = true;
      cv_.notify_all();
      cv_.wait(lock, [&] { return released_; });
    }
    return res;
  };
}

void CompletionGate::Arm() {
  std::lock_guard<std::mutex> lock(mu_);
  armed_ = true;
}

void CompletionGate::WaitHeld() {
  std::unique_lock<std::mutex> lock(mu_);
  cv_.wait(lock, [&] { return held_; });
}

void CompletionGate::Release() {
  std::lock_guard<std::mutex> lock(mu_);
  released_ = true;
  cv_.notify_all();
}

std::string WtkvPath() {
  const char* b = getenv("WTROCKS_BUILD_DIR");
  return std::string(b ? b : ".") + "/wtkv";
}

}  // namespace wtrocks::testing
