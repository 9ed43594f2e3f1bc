// Copyright (c) wtrocks authors.
//
// RocksDB alone: Get vs MultiGet of 16 over SST-resident keys (README.md).
#include <rocksdb/cache.h>
#include <rocksdb/db.h>
#include <rocksdb/filter_policy.h>
#include <rocksdb/table.h>
#include <rocksdb/utilities/options_util.h>

#include <chrono>
#include <cstdio>
#include <random>
#include <string>
#include <vector>
int main(int argc, char** argv) {
  rocksdb::DBOptions dbo;
  std::vector<rocksdb::ColumnFamilyDescriptor> cfs;
  rocksdb::ConfigOptions co;
  co.ignore_unknown_options = true;
  auto s = rocksdb::LoadLatestOptions(co, argv[1], &dbo, &cfs);
  if (!s.ok()) {
    printf("%s\n", s.ToString().c_str());
    return 1;
  }
  rocksdb::BlockBasedTableOptions t;
  t.filter_policy.reset(rocksdb::NewBloomFilterPolicy(10));
  t.block_cache = rocksdb::NewLRUCache(64 << 20);
  t.data_block_index_type =
      rocksdb::BlockBasedTableOptions::kDataBlockBinaryAndHash;
  cfs[0].options.table_factory.reset(rocksdb::NewBlockBasedTableFactory(t));
  std::vector<rocksdb::ColumnFamilyHandle*> hs;
  rocksdb::DB* db;
  s = rocksdb::DB::Open(dbo, argv[1], cfs, &hs, &db);
  if (!s.ok()) {
    printf("%s\n", s.ToString().c_str());
    return 1;
  }
  db->Flush(rocksdb::FlushOptions());
  db->CompactRange({}, nullptr, nullptr);
  std::mt19937 rng(1);
  const int N = 1 << 20;
  int batch = atoi(argv[2]);
  std::vector<std::string> keys(N);
  char b[64];
  for (auto& k : keys) {
    snprintf(b, sizeof b, "key:%012u", (unsigned)(rng() % 100000));
    k = b;
  }
  for (int rep = 0; rep < 3; rep++) {
    auto t0 = std::chrono::steady_clock::now();
    size_t found = 0;
    if (batch == 1) {
      std::string v;
      for (auto& k : keys) found += db->Get(rocksdb::ReadOptions(), k, &v).ok();
    } else {
      std::vector<rocksdb::Slice> ks(batch);
      std::vector<rocksdb::PinnableSlice> vs(batch);
      std::vector<rocksdb::Status> ss(batch);
      for (int i = 0; i < N; i += batch) {
        for (int j = 0; j < batch; j++) ks[j] = keys[i + j];
        db->MultiGet(rocksdb::ReadOptions(), hs[0], batch, ks.data(), vs.data(),
                     ss.data(), false);
        for (int j = 0; j < batch; j++) {
          found += ss[j].ok();
          vs[j].Reset();
        }
      }
    }
    double us = std::chrono::duration<double, std::micro>(
                    std::chrono::steady_clock::now() - t0)
                    .count();
    printf("batch=%d found=%zu ns/key=%.0f\n", batch, found, us * 1000 / N);
  }
  return 0;
}
