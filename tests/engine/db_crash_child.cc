// Copyright (c) wtrocks authors.
//
// db_crash_child DIR URI: opens (creating) a RocksDB in DIR through the
// wtrocks FileSystem URI and writes "key<i>" with sync=false forever,
// printing i after each DB::Write returned. Every WAL write's completion is
// delayed by 50 ms (the completion-fault hook), so the durable writes lag
// far behind the acknowledgements, as on a slow device. For
// ProcessCrashTest, which kills it with SIGKILL.
// Exit 3 with the message on stderr when the FileSystem or DB::Open refuses.
#include <stdio.h>
#include <unistd.h>

#include <chrono>
#include <thread>

#include "engine/config.h"
#include "engine/wtrocks_fs.h"
#include "rocksdb/db.h"
#include "rocksdb/env.h"

int main(int argc, char** argv) {
  if (argc != 3) {
    fprintf(stderr, "usage: %s DIR URI\n", argv[0]);
    return 2;
  }
  wtrocks::engine::EngineConfig config;
  rocksdb::Status s = wtrocks::engine::ParseUri(argv[2], &config);
  std::shared_ptr<rocksdb::FileSystem> fs;
  if (s.ok()) {
    config.wal_completion_fault = [](uint64_t, uint64_t, int res) {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
      return res;
    };
    s = wtrocks::engine::WtrocksFileSystem::Create(config, &fs);
  }
  std::unique_ptr<rocksdb::Env> env;
  rocksdb::DB* db = nullptr;
  if (s.ok()) {
    env = rocksdb::NewCompositeEnv(fs);
    rocksdb::Options o;
    o.create_if_missing = true;
    o.env = env.get();
    s = rocksdb::DB::Open(o, argv[1], &db);
  }
  if (!s.ok()) {
    fprintf(stderr, "%s\n", s.ToString().c_str());
    return 3;
  }
  for (long i = 0;; i++) {
    s = db->Put(rocksdb::WriteOptions(), "key" + std::to_string(i),
                "value" + std::to_string(i));
    if (!s.ok()) {
      fprintf(stderr, "Put: %s\n", s.ToString().c_str());
      return 1;
    }
    printf("%ld\n", i);
    fflush(stdout);
  }
}
